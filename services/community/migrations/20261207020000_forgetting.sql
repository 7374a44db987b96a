-- migrate:up
-- Forgetting a person keeps their ballot (a selection's count must not change) under their
-- pseudonym: moving a ballot to the pseudonym moves its marks with it.
ALTER TABLE selection_marks DROP CONSTRAINT selection_marks_selection_id_voter_id_fkey;
ALTER TABLE selection_marks ADD CONSTRAINT selection_marks_selection_id_voter_id_fkey
    FOREIGN KEY (selection_id, voter_id) REFERENCES selection_ballots (selection_id, voter_id) ON UPDATE CASCADE;

-- migrate:down
ALTER TABLE selection_marks DROP CONSTRAINT selection_marks_selection_id_voter_id_fkey;
ALTER TABLE selection_marks ADD CONSTRAINT selection_marks_selection_id_voter_id_fkey
    FOREIGN KEY (selection_id, voter_id) REFERENCES selection_ballots (selection_id, voter_id);
