"""Fixed vocabularies the generator combines into people, teams, skills and modules."""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aisha Alex Amara Ana Arjun Ava Ben Bianca Carlos Chen Chloe Daniel Dara Diego Elena Emeka "
    "Emma Erik Fatima Felix Grace Hana Hugo Ibrahim Ines Isla Jack Jamal Jin Jonas Julia Kai "
    "Kavya Kenji Lara Leo Lina Luca Maya Mei Mia Nadia Nina Noah Olga Omar Oscar Priya Rafael "
    "Rosa Ruth Sam Sara Sofia Tariq Theo Uma Victor Yara Yusuf Zoe"
)

LAST_NAMES = _words(
    "Abbott Adeyemi Alvarez Andersson Baker Banerjee Becker Bianchi Brown Campbell Chen Costa "
    "Dubois Evans Fischer Garcia Gonzalez Hansen Haddad Hughes Ivanova Jensen Kaur Kim Kowalski "
    "Larsen Lee Lopez Martin Mensah Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Patel "
    "Pereira Petrov Quinn Rossi Santos Schmidt Silva Singh Smith Suzuki Tanaka Taylor Varga "
    "Wagner Walsh Weber Williams Wong Yilmaz Zhang"
)


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    member_role: str
    member_titles: tuple[str, ...]
    location: str
    time_zone: str
    works_shifts: bool = False


DEPARTMENTS = (
    DepartmentSpec(
        "Customer Support",
        "Support Agent",
        ("Support Agent", "Senior Support Agent"),
        "Manchester",
        "Europe/London",
        works_shifts=True,
    ),
    DepartmentSpec(
        "Contact Centre",
        "Contact Centre Agent",
        ("Contact Centre Agent", "Quality Analyst"),
        "Dublin",
        "Europe/Dublin",
        works_shifts=True,
    ),
    DepartmentSpec(
        "Sales",
        "Account Executive",
        ("Account Executive", "Sales Development Rep"),
        "New York",
        "America/New_York",
    ),
    DepartmentSpec(
        "Engineering",
        "Software Engineer",
        ("Software Engineer", "Site Reliability Engineer"),
        "Berlin",
        "Europe/Berlin",
    ),
    DepartmentSpec(
        "Customer Success",
        "Customer Success Manager",
        ("Customer Success Manager", "Onboarding Specialist"),
        "Toronto",
        "America/Toronto",
    ),
    DepartmentSpec(
        "People & Operations",
        "People Partner",
        ("People Partner", "Recruiter", "Learning Partner"),
        "London",
        "Europe/London",
    ),
    DepartmentSpec(
        "Field Service",
        "Field Technician",
        ("Field Technician", "Dispatcher"),
        "Leeds",
        "Europe/London",
        works_shifts=True,
    ),
    DepartmentSpec(
        "Product",
        "Product Designer",
        ("Product Designer", "Product Manager"),
        "Lisbon",
        "Europe/Lisbon",
    ),
    DepartmentSpec(
        "Marketing",
        "Marketing Specialist",
        ("Marketing Specialist", "Content Writer"),
        "Amsterdam",
        "Europe/Amsterdam",
    ),
    DepartmentSpec(
        "Retail Stores",
        "Store Associate",
        ("Store Associate", "Shift Supervisor"),
        "Chicago",
        "America/Chicago",
        works_shifts=True,
    ),
    DepartmentSpec(
        "Logistics",
        "Warehouse Operative",
        ("Warehouse Operative", "Logistics Coordinator"),
        "Rotterdam",
        "Europe/Amsterdam",
        works_shifts=True,
    ),
    DepartmentSpec(
        "Finance",
        "Financial Analyst",
        ("Financial Analyst", "Accountant"),
        "London",
        "Europe/London",
    ),
    DepartmentSpec(
        "Data & Analytics",
        "Data Analyst",
        ("Data Analyst", "Data Engineer"),
        "Singapore",
        "Asia/Singapore",
    ),
    DepartmentSpec(
        "Legal & Compliance",
        "Compliance Officer",
        ("Compliance Officer", "Legal Counsel"),
        "Sydney",
        "Australia/Sydney",
    ),
)

LEADERSHIP_ROLES = ("Executive", "Department Head", "Director", "Team Lead")

TEAM_NAMES = _words(
    "Aurora Beacon Cedar Delta Ember Falcon Granite Harbour Iris Juniper Kestrel Lumen Meridian "
    "Nova Orbit Pioneer Quartz Rowan Summit Tidal Umber Vertex Willow Zenith"
)

SKILL_TREE: dict[str, tuple[str, ...]] = {
    "Customer service": ("Calls", "Written support", "De-escalation"),
    "Product knowledge": ("Core product", "Integrations", "Release notes"),
    "Communication": ("Presenting", "Writing", "Feedback"),
    "Security awareness": ("Data protection", "Phishing", "Access control"),
    "Sales": ("Discovery", "Negotiation", "Forecasting"),
    "Leadership": ("Coaching", "Hiring", "One-to-ones"),
    "Engineering": ("Incident response", "Code review", "Testing"),
    "Data & analytics": ("Spreadsheets", "Dashboards", "SQL basics"),
    "Compliance": ("Health and safety", "Anti-bribery", "Accessibility"),
    "Tools": ("Email and calendar", "Ticketing system", "Knowledge base"),
}

TITLE_OPENINGS = (
    "Getting started with",
    "A practical guide to",
    "Five habits for better",
    "Troubleshooting",
    "Understanding",
    "Quick wins in",
    "Deep dive:",
    "Common mistakes in",
    "A checklist for",
    "What good looks like in",
)

TITLE_TOPICS = (
    "call handling",
    "difficult conversations",
    "ticket triage",
    "refund requests",
    "writing clear emails",
    "knowledge-base articles",
    "customer onboarding",
    "renewal conversations",
    "discovery calls",
    "pipeline reviews",
    "incident reviews",
    "code review",
    "on-call handovers",
    "password hygiene",
    "phishing emails",
    "data retention",
    "accessible documents",
    "giving feedback",
    "running one-to-ones",
    "interviewing",
    "weekly planning",
    "dashboards",
    "spreadsheet formulas",
    "SQL joins",
    "shift handovers",
    "warehouse safety",
    "store opening",
    "presenting to leadership",
    "product releases",
    "the ticketing system",
)

TITLE_AUDIENCES = (
    "",
    " for new starters",
    " for team leads",
    " on the phone",
    " for remote teams",
    " in five minutes",
)

SUMMARY_TEMPLATES = (
    "What I learned about {topic} after two years on the team, with examples you can reuse.",
    "A short, practical walk-through of {topic}, written by a colleague for colleagues.",
    "The steps we follow for {topic}, the traps to avoid and a checklist to keep.",
    "Everything a new starter needs to know about {topic}, in one sitting.",
)

BODY_TEMPLATES = (
    """## Why this matters

Most of us learn **{topic}** on the job. This module collects what works.

1. Listen first, then summarise what you heard.
2. Agree the next step before you hang up.
3. Write it down where the next person will find it.

> Tip: keep a short checklist beside you until the habit sticks.
""",
    """## Before you start

You will need access to the knowledge base and ten quiet minutes.

| Step | What to do | Time |
| --- | --- | --- |
| 1 | Read the scenario | 2 min |
| 2 | Try it yourself | 5 min |
| 3 | Compare with the model answer | 3 min |

### The model answer

Start with the outcome the customer wants, then work backwards.
""",
    """## Three ideas

- *Be specific.* Vague notes cost the next person time.
- *Be kind.* The person reading is probably busy.
- *Be brief.* One screen is enough for most things.

## Try it

Rewrite your last handover note using the three ideas above, then ask a
teammate which version they would rather receive.
""",
    """## The checklist

- [ ] Confirm who you are talking to
- [ ] Check the account history
- [ ] Agree what happens next
- [ ] Log the outcome

```text
Subject: Next steps on your request
Hi — here is what we agreed today, and when you will hear from us.
```
""",
    """## A story from the floor

Last spring our queue doubled overnight. What saved us was not a tool but a
habit: every shift ended with a five-minute review of what surprised us.

## What to copy

1. Keep the review short.
2. Write down one change, not ten.
3. Check next week whether it helped.
""",
    """## Quick reference

**Do** ask open questions early. **Don't** promise dates you cannot keep.

### Phrases that help

- “Let me make sure I have understood…”
- “Here is what I can do right now…”
- “I will update you by … at the latest.”

See the team wiki for the full policy.
""",
)

PATH_TITLES = (
    ("New starter essentials", "Everything to get going in your first month."),
    ("Great customer conversations", "From the first hello to a resolved ticket."),
    ("Becoming a team lead", "The habits of managers people want to work for."),
    ("Security basics for everyone", "Keep yourself, customers and the company safe."),
    ("Selling with confidence", "Discovery, demos and closing, step by step."),
    ("Data for everyday decisions", "Read dashboards and ask better questions of data."),
    ("Working on shifts", "Handovers, breaks and staying well on a rota."),
    ("Writing that gets read", "Emails, notes and articles people act on."),
)
