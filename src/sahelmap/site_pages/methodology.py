"""Methodology and sources: what each number means, the data's biases, licences and citations.

Every sentence is in the current language (``_()``); the words of the data (event types, actor groups,
precision words) through ``i18n.label``, and the event types' French labels listed from the vocabulary
catalogue itself (``i18n.taxonomy``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sahelmap import compare, dashboard, export, i18n, perpetrators, schema
from sahelmap.i18n import _

md = dashboard.md_escape

st.title(_("Methodology and sources"))

st.header(_("What the numbers mean"))
st.markdown(
    md(
        _(
            "Events: each row is one event as its source codes it (a date, a place, a type and the actors "
            "involved). Counts of events say how often something was reported, not how intense it was."
        )
    )
)
st.markdown(
    md(
        _(
            "Reported deaths: the toll the source gives for the event, whoever died. Many events have no "
            "reported toll; they add nothing to a total, and every total says how many such events it holds. "
            "Tolls are often estimates, may be revised, and can be disputed between sources."
        )
    )
)
st.markdown(
    md(
        _(
            "Periods: an event counts in a period when it overlaps it (an event that spans two days counts "
            "in a period that holds either day). Comparing two periods applies the same filters to both; "
            "when the periods differ in length, per-month rates (events or deaths divided by the period's "
            "days over {days}) are shown beside the totals."
        ).format(days=i18n.number(round(compare.DAYS_PER_MONTH, 2)))
    )
)
st.subheader(_("Precision codes"))
st.markdown(
    "\n".join(
        "- " + md(_("time precision {code}: {words}").format(code=code, words=i18n.label(words)))
        for code, words in schema.TIME_PRECISION.items()
    )
)
st.markdown(
    "\n".join(
        "- " + md(_("location precision {code}: {words}").format(code=code, words=i18n.label(words)))
        for code, words in schema.GEO_PRECISION.items()
    )
)
st.subheader(_("Actor groups and places"))
st.markdown(
    md(
        _(
            "Each actor name is put in one group by ordered rules (the first that matches); an event belongs "
            "to every group named in its four actor fields, so a chart by group counts an event once for "
            "each of its groups. The groups are: {groups}."
        ).format(groups=", ".join(i18n.label(group) for group in schema.ACTOR_GROUPS.values()))
    )
)
st.markdown(
    md(
        _(
            "An event is at a focus place ({places}) when it is within {km} km of it and located more "
            "precisely than a region. Regions are the source's admin-1 names, filled from the OCHA "
            "boundaries where the source gives none."
        ).format(
            places=", ".join(i18n.label(place) for place in schema.FOCUS_PLACES),
            km=i18n.number(round(schema.FOCUS_RADIUS_KM)),
        )
    )
)
st.subheader(_("Who did it"))
st.markdown(md(_(perpetrators.RULE)))
st.subheader(_("Linking and counting once"))
st.markdown(
    md(
        _(
            "An imported event (ACLED, UCDP GED) that describes a curated event (same days, place and kind) "
            "is linked to it. With 'Count each real event once', the linked copies are left out, so the "
            "event is counted once; without it, each dataset's row counts."
        )
    )
)

# --- issue 14: the event types' French labels, listed from the vocabulary catalogue -----------------
st.subheader(_("Event types and sub-types in French"))
st.markdown(
    md(
        _(
            "In French, event types and sub-types are shown with ACLED's own French labels where ACLED has "
            "them, and otherwise in sahelmap's wording (the last column says which); notes, actor names and "
            "places stay as their source wrote them. Links and downloads keep ACLED's English values, which "
            "tools depend on."
        )
    )
)
ORIGIN = {True: _("ACLED"), False: _("sahelmap")}
taxonomy = i18n.taxonomy("fr")
st.dataframe(
    pd.DataFrame(
        [
            {
                "event_type": row.event_type,
                "sub_event_type": row.sub_event_type,
                "label": row.label,
                "origin": ORIGIN[row.acled_own],
            }
            for row in taxonomy
        ]
    ),
    hide_index=True,
    width="stretch",
    height=35 * (len(taxonomy) + 1) + 3,  # every row in view, no scrolling
    key="taxonomy_table",
    column_config={
        "event_type": _("ACLED event type"),
        "sub_event_type": _("ACLED sub-type"),
        "label": _("French label"),
        "origin": _("French label from"),
    },
)

st.header(_("Known biases of media-based event data"))
st.markdown(
    "\n".join(
        "- " + md(line)
        for line in (
            _(
                "Reporting is uneven: towns with journalists, phone coverage or UN presence are reported "
                "more than remote areas, so a rise may be a rise in reporting."
            ),
            _(
                "Sources have sides: army, armed-group and partisan claims about the other side's losses are "
                "often inflated, and events are attributed to the group a source suspects."
            ),
            _(
                "Coverage changes: the departure of MINUSMA and of foreign media, and restrictions on the "
                "press, change what can be reported over time."
            ),
            _(
                "Events against civilians and abductions are under-reported, especially where no one is left "
                "to report them."
            ),
            _(
                "Coding choices (event type, actor names, tolls) follow each dataset's own codebook; they "
                "can differ between ACLED, UCDP GED and the curated table for the same event."
            ),
        )
    )
)

st.header(_("Datasets, licences and citations"))
for fmt, citation in export.ATTRIBUTION.items():
    st.markdown(f"**{md(fmt)}**: {md(_(citation))}")
st.markdown(
    md(
        _(
            "ACLED data may not be redistributed as raw rows: this project reads the files a user imports "
            "and never ships ACLED rows. UCDP GED is published under CC BY 4.0. The curated table cites, for "
            "each row, the publication it comes from."
        )
    )
)

st.header(_("How the curated table is built"))
st.markdown(
    md(
        _(
            "Each curated event is one reviewed report: a publisher, a headline, a publication date or a "
            "checked link, precision codes for its date and place, and a note in the project's own words. "
            "Tolls are those the cited source states; where sources disagree, the row says which one it "
            "follows. Milestones (data/milestones.csv) are sourced the same way."
        )
    )
)
st.header(_("Reporting a correction"))
st.markdown(
    md(
        _(
            "Open an issue on the sahelmap repository's issue tracker, giving the event_id (or the "
            "milestone's date), what is wrong, and a source for the correction. Corrections are reviewed "
            "like new rows and recorded in the repository's history."
        )
    )
)
