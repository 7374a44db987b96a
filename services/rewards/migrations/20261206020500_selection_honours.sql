-- migrate:up
-- The winners of a public selection (评选) are granted its honour: 孝老爱亲 models join the kinds
-- (neighbour_star and excellent_group_leader were there). The honour's id is derived from the
-- selection and the person (uuid5), and the one-per-person-kind-and-year key stays: a redelivered
-- or duplicated selection.concluded grants nothing twice.
ALTER TABLE honours DROP CONSTRAINT honours_kind_check;
ALTER TABLE honours ADD CONSTRAINT honours_kind_check
    CHECK (kind IN ('star_level', 'neighbour_star', 'excellent_group_leader', 'filial_piety'));

-- migrate:down
ALTER TABLE honours DROP CONSTRAINT honours_kind_check;
ALTER TABLE honours ADD CONSTRAINT honours_kind_check
    CHECK (kind IN ('star_level', 'neighbour_star', 'excellent_group_leader'));
