-- 0048: the words of residents' folded names (residents.name_key split on its
-- spaces, each once), so that a search of a ward's residents by name reads the
-- residents having a word in a prefix range of one term through this index,
-- instead of matching every name of the ward with LIKE. A row exists for a
-- resident not erased, with the resident's current ward: the rows are written in
-- the transaction that inserts, renames or erases the resident, and moved in the
-- transaction that merges its ward (residents.go, merges.go). Erasure deletes
-- them: they are personal data.
CREATE TABLE resident_name_words (
    ward_id     TEXT NOT NULL,
    word        TEXT NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents (id),
    PRIMARY KEY (ward_id, word, resident_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX resident_name_words_resident ON resident_name_words (resident_id, word);

WITH RECURSIVE split (resident_id, ward_id, word, rest) AS (
    SELECT id, ward_id, '', name_key || ' ' FROM residents WHERE erased_at IS NULL
    UNION ALL
    SELECT resident_id, ward_id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO resident_name_words (ward_id, word, resident_id)
SELECT ward_id, word, resident_id FROM split WHERE word <> '';
