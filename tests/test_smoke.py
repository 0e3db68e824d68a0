from basewatch import api


def test_demo_samples_ingest(db, samples):
    report = api.ingest([samples("trace_full_ac671b.json")], db=db)
    assert report.rows_read == 2500
    assert report.rows_added == 2500
    again = api.ingest([samples("trace_full_ac671b.json")], db=db)
    assert again.rows_added == 0 and again.sources_skipped == 1
    df = api.positions(db=db, icao24="AC671B")
    assert len(df) == 2500
    assert list(df.columns) == list(api.POSITION_COLUMNS)
