-- Views in portable SQL (SQLite, DuckDB, PostgreSQL): plain joins and `=`, no engine-specific operators.
-- view: stages_dated
SELECT s.*, b.start_lower, b.start_upper, b.end_lower, b.end_upper,
               b.start_min, b.start_max, b.end_min, b.end_max,
               b.start_min_month, b.start_max_month, b.end_min_month, b.end_max_month
        FROM stages AS s JOIN stage_bounds AS b ON b.stage_id = s.stage_id

-- view: codings_labelled
SELECT c.coding_id, p.person_id, p.name_in_source, s.stage_id, s.seq, s.stage_type, s.location_id,
               c.factor_id, f.label AS factor_label, f.domain, c.lee_category, c.valence, l.label AS lee_label,
               c.certainty, c.quote, c.notes
        FROM codings AS c
        JOIN stages AS s ON s.stage_id = c.stage_id
        JOIN persons AS p ON p.person_id = s.person_id
        JOIN factors AS f ON f.factor_id = c.factor_id
        LEFT JOIN lee_labels AS l ON l.lee_category = c.lee_category
             AND (l.valence = c.valence OR (l.valence IS NULL AND c.valence IS NULL))

-- view: comparison
SELECT person, outlet AS source, origin, origin_basis, first_departure, first_departure_window,
               places_abroad, months_abroad_min, months_abroad_max, stated_duration, duration_disagrees,
               "return", return_window, reasons_to_leave, set_beside_leaving, reasons_to_return, set_beside_return,
               obstacles_enablers, obstacles_enablers_set_beside, discrepancies,
               person_id
        FROM comparison_table
