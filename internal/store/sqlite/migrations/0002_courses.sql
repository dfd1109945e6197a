-- 0002: courses (courses, their versions) and learners' records (enrolments,
-- lesson completions, quiz attempts, course completions). Times are INTEGER unix
-- milliseconds, UTC. Invariants are keys: (course, version number), a built-in
-- slug, one enrolment per learner and course, one completion per learner and
-- lesson (of a version) or course.

CREATE TABLE courses (
    id                TEXT    PRIMARY KEY,
    organisation_id   TEXT    REFERENCES organisations (id),
    builtin_slug      TEXT    UNIQUE, -- NULL for partners' courses
    published_version INTEGER NOT NULL,
    latest_version    INTEGER NOT NULL,
    archived          INTEGER NOT NULL CHECK (archived IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX courses_organisation ON courses (organisation_id, id);
CREATE INDEX courses_published ON courses (archived, published_version);

CREATE TABLE course_versions (
    course_id    TEXT    NOT NULL REFERENCES courses (id),
    number       INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    title_vi     TEXT    NOT NULL,
    title_en     TEXT    NOT NULL,
    summary_vi   TEXT    NOT NULL,
    summary_en   TEXT    NOT NULL,
    audience     TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    skills       TEXT    NOT NULL, -- JSON array of skill codes (null when nil)
    lessons      TEXT    NOT NULL, -- JSON array of lessons with quizzes and HTML
    review_note  TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER,
    search_text  TEXT    NOT NULL,
    PRIMARY KEY (course_id, number)
) STRICT;

CREATE TABLE enrolments (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    course_id  TEXT    NOT NULL REFERENCES courses (id),
    version    INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, course_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX enrolments_course ON enrolments (course_id, user_id);

-- A learner's records exist only for a course they started.
CREATE TABLE lesson_completions (
    user_id      TEXT    NOT NULL,
    course_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    lesson_id    TEXT    NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, course_id, version, lesson_id),
    FOREIGN KEY (user_id, course_id) REFERENCES enrolments (user_id, course_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE quiz_attempts (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    course_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    lesson_id    TEXT    NOT NULL,
    answers      TEXT    NOT NULL, -- JSON object: question id -> chosen option ids
    score        INTEGER NOT NULL,
    passed       INTEGER NOT NULL CHECK (passed IN (0, 1)),
    submitted_at INTEGER NOT NULL,
    FOREIGN KEY (user_id, course_id) REFERENCES enrolments (user_id, course_id)
) STRICT;
CREATE INDEX quiz_attempts_learner ON quiz_attempts (user_id, course_id, version, submitted_at);

CREATE TABLE course_completions (
    user_id      TEXT    NOT NULL,
    course_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, course_id),
    FOREIGN KEY (user_id, course_id) REFERENCES enrolments (user_id, course_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX course_completions_course ON course_completions (course_id, user_id);
