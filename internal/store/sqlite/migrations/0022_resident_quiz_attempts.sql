-- 0022: course quizzes residents took with a helper (assisted), insert-only.

CREATE TABLE resident_quiz_attempts (
    id          TEXT    PRIMARY KEY, -- UUIDv7
    resident_id TEXT    NOT NULL REFERENCES residents (id),
    course_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    lesson_id   TEXT    NOT NULL,
    answers     TEXT    NOT NULL, -- JSON object: question id -> option ids
    score       INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    by_user     TEXT    NOT NULL,
    centre_id   TEXT    NOT NULL,
    shift_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX resident_quiz_attempts_resident ON resident_quiz_attempts (resident_id, at, id);
