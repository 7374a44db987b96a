-- migrate:up
-- The winners of a public selection (评选) are granted its honour: 孝老爱亲 models join the kinds
-- (neighbour_star and excellent_group_leader were there). The honour's id is derived from the
-- selection and the person (uuid5), and the one-per-person-kind-and-year key stays: a redelivered
-- or duplicated selection.concluded grants nothing twice.
-- The honours_immutable trigger refuses UPDATE and DELETE only: ALTER TABLE is not refused.
ALTER TABLE honours DROP CONSTRAINT honours_kind_check;
ALTER TABLE honours ADD CONSTRAINT honours_kind_check
    CHECK (kind IN ('star_level', 'neighbour_star', 'excellent_group_leader', 'filial_piety'));
-- The name the honour's certificate (荣誉证书) is made out to, as the selection named the winner.
ALTER TABLE honours ADD COLUMN person_name text;

-- migrate:down
ALTER TABLE honours DROP COLUMN person_name;
ALTER TABLE honours DROP CONSTRAINT honours_kind_check;
ALTER TABLE honours ADD CONSTRAINT honours_kind_check
    CHECK (kind IN ('star_level', 'neighbour_star', 'excellent_group_leader'));
