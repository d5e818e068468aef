-- The Swiss representations (embassies and consulates general) where a visa can be applied for,
-- kept by the secretariat (/secretariat/representations). A visa request names one; the letter is
-- addressed to it. The request also keeps the representation's name as it was, so that a letter
-- reissued later says the same, and so that erasure empties it with the other passport data.
-- Also: the name in another script that a delegate may give beside the passport's Latin one.

-- +goose Up
CREATE TABLE swiss_representations (
    id         bigserial PRIMARY KEY,
    country    text NOT NULL CHECK (country <> ''),
    city       text NOT NULL CHECK (city <> ''),
    kind       text NOT NULL CHECK (kind IN ('embassy', 'consulate_general')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (country, city, kind)
);

INSERT INTO swiss_representations (country, city, kind) VALUES
    ('Algeria', 'Algiers', 'embassy'),
    ('Argentina', 'Buenos Aires', 'embassy'),
    ('Australia', 'Canberra', 'embassy'),
    ('Australia', 'Sydney', 'consulate_general'),
    ('Bangladesh', 'Dhaka', 'embassy'),
    ('Brazil', 'Brasília', 'embassy'),
    ('Brazil', 'Rio de Janeiro', 'consulate_general'),
    ('Brazil', 'São Paulo', 'consulate_general'),
    ('Cameroon', 'Yaoundé', 'embassy'),
    ('Canada', 'Ottawa', 'embassy'),
    ('Canada', 'Montreal', 'consulate_general'),
    ('China', 'Beijing', 'embassy'),
    ('China', 'Chengdu', 'consulate_general'),
    ('China', 'Guangzhou', 'consulate_general'),
    ('China', 'Hong Kong', 'consulate_general'),
    ('China', 'Shanghai', 'consulate_general'),
    ('Colombia', 'Bogotá', 'embassy'),
    ('Côte d''Ivoire', 'Abidjan', 'embassy'),
    ('Egypt', 'Cairo', 'embassy'),
    ('Ethiopia', 'Addis Ababa', 'embassy'),
    ('Ghana', 'Accra', 'embassy'),
    ('India', 'New Delhi', 'embassy'),
    ('India', 'Bengaluru', 'consulate_general'),
    ('India', 'Mumbai', 'consulate_general'),
    ('Indonesia', 'Jakarta', 'embassy'),
    ('Iran (Islamic Republic of)', 'Tehran', 'embassy'),
    ('Japan', 'Tokyo', 'embassy'),
    ('Kazakhstan', 'Astana', 'embassy'),
    ('Kenya', 'Nairobi', 'embassy'),
    ('Korea (Republic of)', 'Seoul', 'embassy'),
    ('Malaysia', 'Kuala Lumpur', 'embassy'),
    ('Mexico', 'Mexico City', 'embassy'),
    ('Morocco', 'Rabat', 'embassy'),
    ('Nigeria', 'Abuja', 'embassy'),
    ('Nigeria', 'Lagos', 'consulate_general'),
    ('Pakistan', 'Islamabad', 'embassy'),
    ('Pakistan', 'Karachi', 'consulate_general'),
    ('Peru', 'Lima', 'embassy'),
    ('Philippines', 'Manila', 'embassy'),
    ('Russian Federation', 'Moscow', 'embassy'),
    ('Saudi Arabia', 'Riyadh', 'embassy'),
    ('Saudi Arabia', 'Jeddah', 'consulate_general'),
    ('Senegal', 'Dakar', 'embassy'),
    ('South Africa', 'Pretoria', 'embassy'),
    ('South Africa', 'Cape Town', 'consulate_general'),
    ('Spain', 'Madrid', 'embassy'),
    ('Spain', 'Barcelona', 'consulate_general'),
    ('Tanzania', 'Dar es Salaam', 'embassy'),
    ('Thailand', 'Bangkok', 'embassy'),
    ('Tunisia', 'Tunis', 'embassy'),
    ('Türkiye', 'Ankara', 'embassy'),
    ('Türkiye', 'Istanbul', 'consulate_general'),
    ('Ukraine', 'Kyiv', 'embassy'),
    ('United Arab Emirates', 'Abu Dhabi', 'embassy'),
    ('United Arab Emirates', 'Dubai', 'consulate_general'),
    ('United States of America', 'Washington', 'embassy'),
    ('United States of America', 'New York', 'consulate_general'),
    ('United States of America', 'San Francisco', 'consulate_general'),
    ('Viet Nam', 'Hanoi', 'embassy'),
    ('Viet Nam', 'Ho Chi Minh City', 'consulate_general');

ALTER TABLE visa_requests
    ADD COLUMN representation_id bigint REFERENCES swiss_representations ON DELETE SET NULL,
    ADD COLUMN passport_name_native text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE visa_requests DROP COLUMN representation_id, DROP COLUMN passport_name_native;
DROP TABLE swiss_representations;
