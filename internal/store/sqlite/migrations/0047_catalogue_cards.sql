-- The catalogue card of every published version: what the public catalogue lists
-- and searches (titles, summaries, audience, level, skills, minutes, lesson ids,
-- titles and whether each has a quiz, the search text), so that listing it reads
-- a few small rows instead of whole versions with their lessons' bodies. A card
-- is written in the same transaction as its version's publication and never
-- changes afterwards, as a published version never does (courses.go).
CREATE TABLE course_cards (
    course_id   TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    title_vi    TEXT    NOT NULL,
    title_en    TEXT    NOT NULL,
    summary_vi  TEXT    NOT NULL,
    summary_en  TEXT    NOT NULL,
    audience    TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    skills      TEXT    NOT NULL, -- JSON array of skill codes (null when nil), as the version's
    minutes     INTEGER NOT NULL,
    lessons     TEXT    NOT NULL, -- JSON array of {id, title: {vi, en}, quiz: bool}
    search_text TEXT    NOT NULL,
    PRIMARY KEY (course_id, number),
    FOREIGN KEY (course_id, number) REFERENCES course_versions (course_id, number)
) STRICT, WITHOUT ROWID;

-- Cards of the versions published before this migration.
INSERT INTO course_cards (course_id, number, title_vi, title_en, summary_vi, summary_en,
    audience, level, skills, minutes, lessons, search_text)
SELECT v.course_id, v.number, v.title_vi, v.title_en, v.summary_vi, v.summary_en,
    v.audience, v.level, v.skills,
    (SELECT coalesce(sum(json_extract(l.value, '$.minutes')), 0) FROM json_each(v.lessons) l),
    (SELECT json_group_array(json_object('id', json_extract(l.value, '$.id'),
                'title', json_extract(l.value, '$.title'),
                'quiz', json(CASE WHEN json_type(l.value, '$.quiz') = 'object' THEN 'true' ELSE 'false' END))
            ORDER BY l.key)
        FROM json_each(v.lessons) l),
    v.search_text
FROM course_versions v
WHERE v.status = 'published';
