/*
 * adverse: adverse events (DESIGN.md section 3; hazard H9 serious adverse
 * event not reported in time): the bundled term list with its grades, the
 * vocabularies of an event, seriousness, and the reporting deadlines.
 *
 * Terms and grades. The bundled list follows the Common Terminology Criteria
 * for Adverse Events (CTCAE) version 5.0, U.S. Department of Health and Human
 * Services, National Institutes of Health, National Cancer Institute,
 * published November 27, 2017 (public domain). The grade definitions were
 * written from that document, shortened where it is long; where CTCAE gives
 * no grade (a "-" in the table, e.g. Headache has no grade 4 or 5) the grade
 * is absent here too and refused. "post_lp_headache" and "other" are not
 * separate CTCAE v5.0 terms in this list: the first is graded with CTCAE's
 * Headache scale, the second ("other, specify", needs a description) with
 * the general CTCAE grading guideline. No MedDRA code is stored: MedDRA is
 * licensed. A site that holds a MedDRA licence loads its own coded dictionary
 * as another source ("site"); an event keeps the term code and source it was
 * recorded with (adverse_term_find only knows the bundled "ctcae-5.0" list).
 *
 * Vocabularies (exact lowercase codes):
 *   seriousness (ICH E2A, section II.B): death, life_threatening,
 *     hospitalisation (initial or prolonged), disability (persistent or
 *     significant), congenital_anomaly, medically_important. An event is
 *     serious when any one is set.
 *   relatedness (to the product, and separately to the procedure):
 *     unrelated, unlikely, possible, probable, definite. "Related" (a
 *     reasonable possibility, ICH E2A II.A.1) is possible, probable or
 *     definite.
 *   expectedness: expected, unexpected (against the reference information).
 *   action: none, interrupted, slowed, stopped, treated, other
 *   outcome: recovering, recovered, recovered_with_sequelae, not_recovered,
 *     fatal, unknown
 *
 * Reporting deadlines (adverse_deadlines), counted from the instant the
 * clinic became aware of the event; defaults (adverse_default_rules),
 * configurable:
 *   initial  every serious event: within 24 hours (the default; ICH
 *            E6(R2) 4.11.1 asks the investigator to report "immediately");
 *   expedited, serious + unexpected + related (to product or procedure):
 *            fatal or life-threatening: 7 calendar days (ICH E2A III.A.2.a:
 *            "as soon as possible but no later than 7 calendar days after
 *            first knowledge"), with a complete follow-up within 8 more days
 *            (15 days from awareness, "followup");
 *            otherwise: 15 calendar days (ICH E2A III.A.2.b).
 * A non-serious event has no deadline.
 *
 * Biovigilance (tissues and cells; the same event record, its own
 * deadlines, also counted from awareness): a serious event whose relatedness
 * to the product is possible, probable or definite is a suspected serious
 * adverse reaction to the cells (Directive 2004/23/EC art. 11(1): "any
 * serious adverse reaction observed during or after clinical application
 * which may be linked to the quality and safety of tissues and cells"). It
 * owes the competent authority
 *   biovigilance_notification: the rapid notification of Commission
 *            Directive 2006/86/EC Annex III Part A (as replaced by Directive
 *            (EU) 2015/565), which the Directive asks "without delay"; the
 *            Directive gives no hour count, the default 24 hours is the
 *            reading of a competent authority (the UK Human Tissue
 *            Authority's SAEARs guidance: reports "within 24 hours");
 *   biovigilance_conclusion: the conclusions of the investigation (Annex
 *            III Part B: confirmation, clinical outcome, corrective and
 *            preventive actions; Directive 2004/23/EC art. 11(3): "a report
 *            analysing the cause and the ensuing outcome"). No source gives
 *            a time limit: 90 days is this project's default, set by the site.
 * Relatedness to the procedure alone does not make it a reaction to the
 * cells. Events in the laboratory without a patient (Annex IV) are not
 * recorded here: an adverse event always has a patient.
 *
 * Deadline status at an instant now:
 *   done (report sent on time), late (sent after the due instant), overdue
 *   (not sent, due instant passed), due_soon (not sent, due within
 *   rules.due_soon_hours), pending.
 *
 * Bad input: unknown codes and grades are CC_INVALID naming the field.
 * Static strings; pure, no allocation, thread-safe.
 */
#ifndef CC_ADVERSE_H
#define CC_ADVERSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ADVERSE_SOURCE "ctcae-5.0"

typedef struct {
    const char *code; /* "fever" */
    const char *name_en, *name_fr;
    const char *soc_en;       /* CTCAE system organ class heading, for display */
    const char *grades_en[5]; /* grade 1..5 definitions; NULL: grade not available */
    const char *grades_fr[5];
    bool needs_text; /* "other": a description is required */
} adverse_term;

size_t adverse_term_count(void);
const adverse_term *adverse_term_at(size_t i);
/* NULL when the code is not in the bundled list. */
const adverse_term *adverse_term_find(const char *code);
/* CC_OK when grade 1..5 is defined for the term; CC_INVALID ("grade") otherwise. */
cc_status adverse_check_grade(const adverse_term *t, int grade, cc_error *err);

typedef enum {
    AE_DEATH = 1 << 0,
    AE_LIFE_THREATENING = 1 << 1,
    AE_HOSPITALISATION = 1 << 2,
    AE_DISABILITY = 1 << 3,
    AE_CONGENITAL_ANOMALY = 1 << 4,
    AE_MEDICALLY_IMPORTANT = 1 << 5,
    AE_SERIOUSNESS_ALL = (1 << 6) - 1
} adverse_seriousness;

/* Name of one criterion bit ("death"...), NULL when not exactly one known bit. */
const char *adverse_seriousness_name(unsigned bit);
bool adverse_seriousness_parse(const char *name, unsigned *bit);

bool adverse_relatedness_is_valid(const char *s);
/* possible, probable, definite */
bool adverse_is_related(const char *relatedness);
bool adverse_expectedness_is_valid(const char *s);
bool adverse_action_is_valid(const char *s);
bool adverse_outcome_is_valid(const char *s);

typedef struct {
    int initial_hours;      /* 24 */
    int fatal_days;         /* 7 */
    int followup_days;      /* 8 more after the 7-day report */
    int other_days;         /* 15 */
    int due_soon_hours;     /* 24 */
    int bv_notify_hours;    /* 24: biovigilance rapid notification */
    int bv_conclusion_days; /* 90: biovigilance conclusions */
} adverse_rules;

void adverse_default_rules(adverse_rules *out);
cc_status adverse_check_rules(const adverse_rules *r, cc_error *err);

typedef enum {
    AE_REPORT_INITIAL = 0,
    AE_REPORT_EXPEDITED,
    AE_REPORT_FOLLOWUP,
    AE_REPORT_BV_NOTIFICATION,
    AE_REPORT_BV_CONCLUSION,
    AE_REPORT_KIND_COUNT
} adverse_report_kind;

const char *adverse_report_kind_name(adverse_report_kind k);
bool adverse_report_kind_parse(const char *name, adverse_report_kind *out);

typedef struct {
    unsigned seriousness; /* AE_* bits */
    bool unexpected;
    const char *related_product; /* relatedness codes */
    const char *related_procedure;
    int64_t aware_at; /* seconds */
} adverse_facts;

typedef struct {
    adverse_report_kind kind;
    int64_t due_at;
    int days; /* the rule that set it: 0 for hours */
} adverse_deadline;

#define ADVERSE_DEADLINES_MAX 5

/* true: the event owes the biovigilance reports (serious, product related). */
bool adverse_is_biovigilance(const adverse_facts *f);

/* Writes the deadlines that apply (0 to ADVERSE_DEADLINES_MAX), the
 * pharmacovigilance ones first, and returns how many. */
size_t adverse_deadlines(const adverse_facts *f, const adverse_rules *r,
                         adverse_deadline out[ADVERSE_DEADLINES_MAX]);

typedef enum {
    AE_DL_PENDING = 0,
    AE_DL_DUE_SOON,
    AE_DL_OVERDUE,
    AE_DL_DONE,
    AE_DL_LATE
} adverse_deadline_status;

/* reported_at 0: not reported. */
adverse_deadline_status adverse_deadline_state(int64_t due_at, int64_t reported_at, int64_t now,
                                               const adverse_rules *r);
const char *adverse_deadline_status_name(adverse_deadline_status s);

#endif
