"""Search that works on Japanese text, on SQLite and on PostgreSQL.

- ``tokenise``: normalisation (NFKC, case folding) and CJK bigram tokens
- ``query``: terms, quoted phrases, topic-alias expansion
- ``backends``: SQLite FTS5 and PostgreSQL tsvector behind one interface
- ``index``: keeping the index current (called by every write path)
- ``snippets``: highlighted snippets from a section's plain text
- ``engine``: ``search()``, what the pages and the API call
- ``models``: SearchEntry, one row per searchable thing
- ``forms``, ``views``, ``urls``: ``/search/`` and ``/api/search``
"""
