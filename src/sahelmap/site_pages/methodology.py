"""Methodology and sources: what each number means, the data's biases, licences and citations."""

from __future__ import annotations

import streamlit as st

from sahelmap import compare, dashboard, export, perpetrators, schema

md = dashboard.md_escape

st.title("Methodology and sources")

st.header("What the numbers mean")
st.markdown(
    md(
        "Events: each row is one event as its source codes it (a date, a place, a type and the actors "
        "involved). Counts of events say how often something was reported, not how intense it was."
    )
)
st.markdown(
    md(
        "Reported deaths: the toll the source gives for the event, whoever died. Many events have no "
        "reported toll; they add nothing to a total, and every total says how many such events it holds. "
        "Tolls are often estimates, may be revised, and can be disputed between sources."
    )
)
st.markdown(
    md(
        "Periods: an event counts in a period when it overlaps it (an event that spans two days counts in "
        "a period that holds either day). Comparing two periods applies the same filters to both; when "
        "the periods differ in length, per-month rates (events or deaths divided by the period's days over "
        f"{compare.DAYS_PER_MONTH:.2f}) are shown beside the totals."
    )
)
st.subheader("Precision codes")
st.markdown(
    "\n".join(f"- time precision {code}: {md(words)}" for code, words in schema.TIME_PRECISION.items())
)
st.markdown(
    "\n".join(f"- location precision {code}: {md(words)}" for code, words in schema.GEO_PRECISION.items())
)
st.subheader("Actor groups and places")
st.markdown(
    md(
        "Each actor name is put in one group by ordered rules (the first that matches); an event belongs "
        "to every group named in its four actor fields, so a chart by group counts an event once for each "
        "of its groups. The groups are: " + ", ".join(schema.ACTOR_GROUPS.values()) + "."
    )
)
st.markdown(
    md(
        f"An event is at a focus place ({', '.join(schema.FOCUS_PLACES)}) when it is within "
        f"{schema.FOCUS_RADIUS_KM:.0f} km of it and located more precisely than a region. Regions are the "
        "source's admin-1 names, filled from the OCHA boundaries where the source gives none."
    )
)
st.subheader("Who did it")
st.markdown(md(perpetrators.RULE))
st.subheader("Linking and counting once")
st.markdown(
    md(
        "An imported event (ACLED, UCDP GED) that describes a curated event (same days, place and kind) is "
        "linked to it. With 'Count each real event once', the linked copies are left out, so the event is "
        "counted once; without it, each dataset's row counts."
    )
)

st.header("Known biases of media-based event data")
st.markdown(
    "\n".join(
        "- " + md(line)
        for line in (
            "Reporting is uneven: towns with journalists, phone coverage or UN presence are reported more "
            "than remote areas, so a rise may be a rise in reporting.",
            "Sources have sides: army, armed-group and partisan claims about the other side's losses are "
            "often inflated, and events are attributed to the group a source suspects.",
            "Coverage changes: the departure of MINUSMA and of foreign media, and restrictions on the press, "
            "change what can be reported over time.",
            "Events against civilians and abductions are under-reported, especially where no one is left "
            "to report them.",
            "Coding choices (event type, actor names, tolls) follow each dataset's own codebook; they can "
            "differ between ACLED, UCDP GED and the curated table for the same event.",
        )
    )
)

st.header("Datasets, licences and citations")
for fmt, citation in export.ATTRIBUTION.items():
    st.markdown(f"**{md(fmt)}**: {md(citation)}")
st.markdown(
    md(
        "ACLED data may not be redistributed as raw rows: this project reads the files a user imports and "
        "never ships ACLED rows. UCDP GED is published under CC BY 4.0. The curated table cites, for each "
        "row, the publication it comes from."
    )
)

st.header("How the curated table is built")
st.markdown(
    md(
        "Each curated event is one reviewed report: a publisher, a headline, a publication date or a "
        "checked link, precision codes for its date and place, and a note in the project's own words. Tolls "
        "are those "
        "the cited source states; where sources disagree, the row says which one it follows. Milestones "
        "(data/milestones.csv) are sourced the same way."
    )
)
st.header("Reporting a correction")
st.markdown(
    md(
        "Open an issue on the sahelmap repository's issue tracker, giving the event_id (or the milestone's "
        "date), what is wrong, and a source for the correction. Corrections are reviewed like new rows and "
        "recorded in the repository's history."
    )
)
