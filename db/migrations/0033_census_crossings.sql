-- Issue 23: the census's own crossings of two categories (category,value,share, as "age & gender","16-24 & Woman"),
-- for the draw page's intersection picture; NULL: each crossing's cell is its two shares multiplied.
ALTER TABLE panels ADD COLUMN crossings_csv TEXT;
