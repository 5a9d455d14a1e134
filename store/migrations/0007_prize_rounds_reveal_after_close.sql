-- A round with prizes shows its answer key only once it has closed: a
-- review read right after one attempt would win the next attempt a prize.
UPDATE rounds SET reveal = 'after_close'
WHERE reveal = 'after_submit' AND id IN (SELECT round_id FROM round_prizes);
