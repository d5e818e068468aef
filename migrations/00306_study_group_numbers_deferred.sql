-- A study group's working parties and Questions are each unique by number and by code. The
-- secretariat edits them in one form, where two rows may swap their numbers or codes: checked
-- statement by statement, the swap collided half-way and was refused. Checked at the end of the
-- save instead (Tx.SaveWorkingParties, SaveQuestions: SET CONSTRAINTS ... IMMEDIATE), as the
-- agenda items' numbers are (00001). A unique constraint cannot be altered to deferrable: each is
-- made again under its own name. (Deferrable constraints are no ON CONFLICT arbiters: the seed
-- inserts these rows WHERE NOT EXISTS.)

-- +goose Up
ALTER TABLE working_parties
    DROP CONSTRAINT working_parties_study_group_id_number_key,
    ADD CONSTRAINT working_parties_study_group_id_number_key UNIQUE (study_group_id, number) DEFERRABLE INITIALLY DEFERRED,
    DROP CONSTRAINT working_parties_study_group_id_code_key,
    ADD CONSTRAINT working_parties_study_group_id_code_key UNIQUE (study_group_id, code) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE questions
    DROP CONSTRAINT questions_study_group_id_number_key,
    ADD CONSTRAINT questions_study_group_id_number_key UNIQUE (study_group_id, number) DEFERRABLE INITIALLY DEFERRED,
    DROP CONSTRAINT questions_study_group_id_code_key,
    ADD CONSTRAINT questions_study_group_id_code_key UNIQUE (study_group_id, code) DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE working_parties
    DROP CONSTRAINT working_parties_study_group_id_number_key,
    ADD CONSTRAINT working_parties_study_group_id_number_key UNIQUE (study_group_id, number),
    DROP CONSTRAINT working_parties_study_group_id_code_key,
    ADD CONSTRAINT working_parties_study_group_id_code_key UNIQUE (study_group_id, code);
ALTER TABLE questions
    DROP CONSTRAINT questions_study_group_id_number_key,
    ADD CONSTRAINT questions_study_group_id_number_key UNIQUE (study_group_id, number),
    DROP CONSTRAINT questions_study_group_id_code_key,
    ADD CONSTRAINT questions_study_group_id_code_key UNIQUE (study_group_id, code);
