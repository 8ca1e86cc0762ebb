"""The interviewee's employer or institution: a named body introduced as where they work.
"""

from __future__ import annotations

import re
from oral_archive.schemas.record import Evidence, Fact
from ..document import Block, Document
from .common import PREVIOUS_EMPLOYER, WORK_CONTEXT, document_fields, extracted_fact, identities, sentence_evidence, sentences


ORG_HEADS = (
    r"Department|School|Library|University|College|Hospital|Museum|Company|Corporation|Agency|Bureau|"
    r"Office|Center|Centre|Institute|Academy|Association|Council|Board|Ministry|Clinic|Church|Foundation|"
    r"District|Station|Unit|Union|Society|Archives?|Court|Prison|Police|Army|Navy|Corps|Railroad|Railway|"
    r"Airlines?|Bank|Firm|Group|Services?|Press|Authority|Commission|Administration|Laborator(?:y|ies)|"
    r"Hotel|Restaurant|Theat(?:er|re)|Orchestra|Parish|Synagogue|Mosque|Temple|Jail|Precinct|Patrol|Force|"
    r"Inc\.?|LLC|Ltd\.?|Corp\.?"
)


CAPITALIZED_RUN = re.compile(r"\b[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|the|and|for|de))*")


ORG_HEAD = re.compile(rf"^(?:{ORG_HEADS})$")


ORG_CUE = re.compile(
    r"\b(?:at|for|with|of|from|joined|in|by|to|within)\s+(?:the\s+)?$", re.IGNORECASE
)


STUDY_CUE = re.compile(r"\b(?:graduated|graduate|degree|diploma|credential|certificate|certification|studied|studying|attended|enrolled|trained|alumn\w*)\b[^.;]*$", re.IGNORECASE)


def extract_organization(document: Document, interviewee_blocks: list[Block]) -> Fact | None:
    """The interviewee's employer or institution: a named body introduced as where they work."""
    # "Employer: Tucson Medical Center" (or the label on a line of its own) says it outright
    for field in document_fields(document):
        value = field.value.rstrip(".")
        if field.kind == "organization" and 0 < len(value.split()) <= 10 and value[:1].isupper():
            begin = field.line.text.find(value, field.start)
            return extracted_fact(value, field.line.evidence(begin, begin + len(value), "organization.field-line", 0.9))
    found: list[tuple[float, str, Evidence]] = []
    interviewee_ids = identities(interviewee_blocks)
    for index, block in enumerate(document.blocks):
        if block.kind == "u" and id(block) not in interviewee_ids:
            continue
        for sentence in sentences(block):
            for match in CAPITALIZED_RUN.finditer(sentence[2]):
                words = match.group(0).split()
                heads = [i for i, w in enumerate(words) if ORG_HEAD.match(re.sub(r"(?:['’]s)?[.,;:’']*$", "", w))]
                if not heads:
                    continue
                last = heads[-1]
                # "University of Texas": a trailing "of <Name>" belongs to the institution
                if last + 2 < len(words) and words[last + 1] == "of" and words[last + 2][0].isupper():
                    last = len(words) - 1
                run = words[: last + 1]
                while run and (run[0].lower() in {"the", "of", "and", "for", "de"} or run[0] in {"On", "In", "At", "During", "When", "While", "Since", "As", "For", "By", "A", "An", "The"}):
                    run = run[1:]
                if len(run) < 2:
                    continue
                org = " ".join(run).rstrip(".,;:’'")
                start = sentence[2].find(run[0], match.start())
                # "X Unit of the Y Department", "Officer Jane Roe of the Y Department": the larger
                # body is the employer
                nested = re.search(rf"\bof\s+(?:the\s+)?(?P<outer>(?:[A-Z][\w.'’-]*\s+){{1,5}}(?:{ORG_HEADS}))$", org)
                if nested:
                    start += nested.start("outer")
                    org = nested.group("outer")
                # an employer is introduced by a preposition or verb ("at", "with the", "joined");
                # a bare mention ("Police Department officials said") is not said to be theirs
                if not ORG_CUE.search(sentence[2][:start]):
                    continue
                # where someone studied is not their employer ("graduated from the University of X"),
                # nor is a past one ("Before that he was employed at ...")
                if STUDY_CUE.search(sentence[2][max(0, start - 60): start]) or PREVIOUS_EMPLOYER.search(sentence[2][:start]):
                    continue
                score = 0.8 - 0.02 * min(index, 10) + (0.05 if re.search(r"Department|School|Library|University|Hospital|College", org) else 0)
                score += 0.05 if WORK_CONTEXT.search(sentence[2]) else 0
                found.append((score, org, sentence_evidence(block, sentence, start, start + len(org), "organization.named-institution", round(score, 2))))
    if not found:
        return None
    best = max(found, key=lambda f: f[0])
    return extracted_fact(best[1], best[2])
