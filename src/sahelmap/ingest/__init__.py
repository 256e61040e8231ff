"""Readers: one per source format, each turning a file into canonical columns of strings.

Every reader returns raw text in canonical column names, with the source row number as index;
``sahelmap.validate.validate`` then types and checks them in one place.
"""
