/*
 * lab: persistence of the cell laboratory: site configuration
 * (FIN, licensed product codes), donors and their screening, collections,
 * manufacturing batches (steps, deviations, QC results, release), units with
 * their ISBT 128 DIN, custody events, reservation/issue, the minimal
 * administration link read by the lookback, and the lookback itself.
 *
 * Decisions belong to core (qc_spec, unit_state, lab_rules, isbt128) and are
 * asked by the laboratory use cases (app/laboratory.h): for a batch's
 * release or rejection, a unit's creation and every move of a unit, a QC
 * result and a donor's eligibility, this module loads the facts (the
 * *_load functions, lab_release.h) and records the decided change
 * (lab_*_record_*, lab_*_insert). The other mutations check what they need
 * with core themselves. Every mutation writes its audit entry (and, for
 * units, its custody event) and joins the caller's write transaction
 * (db_tx_begin), or runs in its own: all-or-nothing.
 *
 * Locked records: a donor whose eligibility is signed, a released or rejected
 * batch: changing them needs a reason (audit_require_reason).
 *
 * Read views are rendered as JSON text into the caller's buf (see sql.h
 * for the column -> value mapping); the API parses and returns them.
 * Text arguments are borrowed; validation of formats (dates, vocabularies)
 * happens in the handler with core before the call, this module re-checks
 * what needs the database (existence, state, uniqueness).
 *
 * Errors: CC_NOT_FOUND naming the id field, CC_CONFLICT with a stable code
 * for a refused state change, CC_STORAGE from the database.
 */
#ifndef CC_LAB_H
#define CC_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/donor_testing.h"
#include "core/isbt128.h"
#include "core/lab_rules.h"
#include "core/qc_spec.h"
#include "core/unit_state.h"
#include "store/audit.h"
#include "store/db.h"

/* ---- site configuration ---- */

/* CC_NOT_FOUND (code "fin_not_configured") when no FIN is set. */
cc_status lab_site_fin(db *d, char fin[ISBT128_FIN_LEN + 1], cc_error *err);
cc_status lab_site_set_fin(db *d, const store_actor *actor, const char *fin, cc_error *err);
/* The facility printed on unit labels (21 CFR 1271.370(c)(1)) and the
 * labels' language. NULL keeps a field as it is; name is one line (<= 120
 * characters), address up to LAB_FACILITY_ADDRESS_LINES lines (<= 300
 * characters), language "en" or "fr". CC_INVALID naming "facility_name",
 * "facility_address" or "label_language"; CC_CONFLICT "fin_not_configured"
 * before the FIN is set. Audited as an update of lab_site. */
enum { LAB_FACILITY_ADDRESS_LINES = 4 };
cc_status lab_site_set_facility(db *d, const store_actor *actor, const char *name,
                                const char *address, const char *language, cc_error *err);
/* {"site":{"fin","facility_name","facility_address","label_language",...},
 *  "product_codes":[...]} */
cc_status lab_site_json(db *d, buf *out, cc_error *err);
cc_status lab_product_code_add(db *d, const store_actor *actor, const char *code,
                               const char *product_type, const char *description, int64_t *id,
                               cc_error *err);
cc_status lab_product_code_set_active(db *d, const store_actor *actor, int64_t id, bool active,
                                      cc_error *err);

/* Allocates the next DIN of fin for year (00-99) from this database's
 * counter "din:FIN:YY", in its own transaction, with an audit entry. */
cc_status lab_din_allocate(db *d, const store_actor *actor, const char *fin, int year,
                           isbt128_din *out, cc_error *err);

/* ---- donors and collections ---- */

typedef struct {
    const char *code;         /* NULL: generated "DN000123" */
    const char *kind;         /* "allogeneic" or "autologous" */
    int64_t patient_id;       /* autologous: the patient; else 0 */
    const char *consent_date; /* NULL when not recorded */
    const char *consent_reference;
    bool synthetic;  /* demonstration data (cellclinic demo) */
    int64_t site_id; /* the site it belongs to (store/sites.h); 0: the first site */
} lab_donor_fields;

cc_status lab_donor_create(db *d, const store_actor *actor, const lab_donor_fields *f, int64_t *id,
                           cc_error *err);
/* Records consent on a donor (a signed eligibility needs a reason and goes
 * back to "incomplete"). */
cc_status lab_donor_set_consent(db *d, const store_actor *actor, int64_t id, int64_t version,
                                const char *consent_date, const char *consent_reference,
                                const char *reason, cc_error *err);
/* A new screening result; on a signed donor it needs a reason and sets the
 * eligibility back to "incomplete" (to be signed again). */
cc_status lab_donor_add_test(db *d, const store_actor *actor, int64_t donor_id, const char *test,
                             const char *result, const char *sampled_on, const char *reason,
                             int64_t *id, cc_error *err);
/* What a donor's eligibility is decided on (core donor_check_eligibility):
 * the current determination, kind, consent, the results, oldest first
 * (beyond LAB_MAX_SCREENING the last slot holds the newest), the dates of
 * the donor's collections (at most LAB_MAX_COLLECTIONS, the newest kept)
 * and the panel configured for the donor's kind. CC_NOT_FOUND (field "id")
 * for an unknown donor. results[] point into texts. */
enum { LAB_MAX_SCREENING = 64, LAB_MAX_COLLECTIONS = 64 };
typedef struct {
    char eligibility[16], kind[16];
    bool consent;
    size_t n_tests;
    donor_result tests[LAB_MAX_SCREENING];
    char texts[LAB_MAX_SCREENING][2][16];
    size_t n_collections;
    cc_date collected_on[LAB_MAX_COLLECTIONS];
    donor_panel panel;
} lab_donor_screening;
cc_status lab_donor_screening_load(db *d, int64_t donor_id, lab_donor_screening *out,
                                   cc_error *err);
/* Sets a signed determination back to "incomplete" (audited
 * "reopen_eligibility" with reason); joins the caller's transaction. */
cc_status lab_donor_reopen(db *d, const store_actor *actor, int64_t donor_id, const char *reason,
                           cc_error *err);
/* The donor-testing panel of a kind (core donor_testing.h): the configured
 * one, else the default. lab_donor_panel_set stores one kind's panel
 * (audited, entity "donor_panel"); the caller has checked it. */
cc_status lab_donor_panel_load(db *d, const char *kind, donor_panel *out, cc_error *err);
cc_status lab_donor_panel_set(db *d, const store_actor *actor, const char *kind,
                              const donor_panel *p, cc_error *err);
/* Records an eligibility determination decided by the caller (signer and
 * time unless "incomplete"), with its audit entry; joins the caller's
 * transaction. */
cc_status lab_donor_record_decision(db *d, const store_actor *actor, int64_t donor_id,
                                    const char *decision, const char *reason, cc_error *err);
cc_status lab_donor_json(db *d, int64_t id, buf *out, cc_error *err);
/* The LIKE pattern "%key%" of a code search: q folded (core text_fold: case
 * and accents forgiven) with its spaces and punctuation dropped, so a code,
 * DIN or number is found however it was typed or scanned. */
void lab_code_pattern(const char *q, char *out, size_t cap);
/* Donors whose code holds q (lab_code_pattern), newest first. */
cc_status lab_donor_list_json(db *d, int64_t site_id, const char *q, int64_t page, int64_t per_page,
                              buf *out, int64_t *total, cc_error *err);

typedef struct {
    int64_t donor_id;
    const char *source, *collected_on, *site;
    double volume_ml, mass_g; /* < 0 when not given */
} lab_collection_fields;

cc_status lab_collection_create(db *d, const store_actor *actor, const lab_collection_fields *f,
                                int64_t *id, cc_error *err);
cc_status lab_collection_json(db *d, int64_t id, buf *out, cc_error *err);
/* Collections of site_id's donors, of donor_id (0 any), whose donor code or
 * collection day holds q (NULL any). */
cc_status lab_collection_list_json(db *d, int64_t site_id, int64_t donor_id, const char *q,
                                   int64_t page, int64_t per_page, buf *out, int64_t *total,
                                   cc_error *err);

/* ---- batches ---- */

cc_status lab_batch_create(db *d, const store_actor *actor, const char *product_type,
                           const int64_t *collection_ids, size_t n, int64_t *id, cc_error *err);

typedef struct {
    const char *step, *performed_at, *operator_name, *notes;
    int64_t passage;    /* < 0 when not given */
    int64_t cell_count; /* < 0 when not given */
} lab_step_fields;

cc_status lab_batch_add_step(db *d, const store_actor *actor, int64_t batch_id,
                             const lab_step_fields *f, int64_t *id, cc_error *err);
cc_status lab_batch_open_deviation(db *d, const store_actor *actor, int64_t batch_id,
                                   const char *description, int64_t *id, cc_error *err);
cc_status lab_batch_close_deviation(db *d, const store_actor *actor, int64_t batch_id,
                                    int64_t deviation_id, const char *disposition, cc_error *err);

/* Writes one QC result as judged by the caller (core lab_check_qc_result):
 * the value only when quantitative, the verdict and its explanation, with
 * its audit entry; the batch's version moves. Joins the caller's
 * transaction. */
cc_status lab_qc_insert(db *d, const store_actor *actor, int64_t batch_id, const qc_result *r,
                        bool quantitative, qc_verdict verdict, const char *explanation,
                        const char *method, const char *tested_on, int64_t *id, cc_error *err);

/* The batch's product type and status; CC_NOT_FOUND (field "id"). */
typedef struct {
    char product_type[16];
    char status[16]; /* in_process, released, rejected */
} lab_batch_facts;
cc_status lab_batch_load(db *d, int64_t id, lab_batch_facts *out, cc_error *err);

/* Records QA's decision on a batch as decided by the caller (the laboratory
 * use cases): status "released" or "rejected", who and when, the meaning of
 * the signature or the reason, with its audit entry. Joins the caller's
 * transaction; checks nothing (the caller has). */
cc_status lab_batch_record_decision(db *d, const store_actor *actor, int64_t batch_id,
                                    const char *status, const char *reason, cc_error *err);
cc_status lab_batch_json(db *d, int64_t id, buf *out, cc_error *err);
/* Batches with status (NULL any) whose number (code) holds q (NULL any). */
cc_status lab_batch_list_json(db *d, int64_t site_id, const char *status, const char *q,
                              int64_t page, int64_t per_page, buf *out, int64_t *total,
                              cc_error *err);

/* ---- units ---- */

typedef struct {
    const char *product_code; /* a configured, active PDC */
    int division;
    uint64_t cells;
    double viability; /* < 0 when not given */
    double volume_ml;
    const char *expiry;                          /* YYYY-MM-DD */
    const char *storage;                         /* storage conditions text */
    const char *freezer, *rack, *box, *position; /* "" when not stored yet */
    int year;                                    /* DIN year 0..99 */
} lab_unit_fields;

/* The facts a new unit of a batch is checked against (core
 * lab_check_unit_create), read inside the caller's transaction: the batch
 * (CC_NOT_FOUND field "id" when unknown), the product code at this site,
 * whether the division is taken, and the autologous owner. */
typedef struct {
    char batch_status[16], batch_product_type[16], code_product_type[16];
    bool code_configured, code_active, division_taken;
    int64_t owner_patient_id; /* the autologous donor's patient; 0 allogeneic */
} lab_unit_origin_facts;
cc_status lab_unit_origin_load(db *d, int64_t batch_id, const char *product_code, int division,
                               lab_unit_origin_facts *out, cc_error *err);

/* Writes a new quarantined unit of a batch as decided by the caller, with a
 * new DIN of fin (this database's counter "din:FIN:YY"), its custody event
 * and audit entry. Joins the caller's transaction. Refuses only what the
 * database knows: CC_CONFLICT "position_taken" (field "position") and
 * "din_exhausted" (field "din"). */
cc_status lab_unit_insert(db *d, const store_actor *actor, int64_t batch_id,
                          const char *product_type, int64_t owner_patient_id, const char *fin,
                          const lab_unit_fields *f, int64_t *id, cc_error *err);

/* Moves every unit whose expiry is before today and that is still in the
 * lab (quarantine, released, reserved, returned) to expired (H3), with
 * custody events, as the system actor's changes when actor says so; *n
 * receives how many. Joins the caller's transaction (a use case that moves
 * units runs it first), or runs in its own. */
cc_status lab_units_expire(db *d, const store_actor *actor, cc_date today, int64_t *n,
                           cc_error *err);

/* One unit as a use case decides on it, with its batch's status. u is the
 * core view; u.product_type points into this struct: pass it by address. */
typedef struct {
    int64_t id, batch_id, version;
    char state_text[16], product_type[16], batch_status[16], expiry[CC_DATE_TEXT];
    char location[200]; /* "freezer/rack/box/position" or "" */
    lab_unit u;
} lab_unit_row;
cc_status lab_unit_load(db *d, int64_t id, lab_unit_row *out, cc_error *err);

/* Whether a patient is on record (a reservation or issue names one). */
cc_status lab_patient_exists(db *d, int64_t patient_id, bool *out, cc_error *err);
/* The patient's MRN into out ("" when there is no such patient). */
cc_status lab_patient_mrn(db *d, int64_t patient_id, char *out, size_t cap, cc_error *err);

/* Records an action decided by core (lab_decide_unit_action) on the unit
 * as loaded: its new state (unit_state_apply once more, so that no caller
 * can skip the state machine), the reservation and issue fields of c, a
 * freed storage position when the unit leaves the lab, the custody event
 * (c->note) and the audit entry (reason). Joins the caller's transaction. */
cc_status lab_unit_record_action(db *d, const store_actor *actor, const lab_unit_row *r,
                                 unit_event event, const lab_unit_change *c, const char *reason,
                                 cc_error *err);

/* The administration of a unit inside the caller's transaction (the
 * bedside record): the unit must still be at expected_version (0: any),
 * then lab_check_administer, the lookback link (unit_administrations), the
 * move to administered and its custody event. */
cc_status lab_unit_administer_in_tx(db *d, const store_actor *actor, int64_t unit_id,
                                    int64_t expected_version, int64_t patient_id, const char *date,
                                    cc_date today, cc_error *err);

/* Records a move of the unit as loaded to another storage position, as
 * decided by the caller (core lab_check_unit_move); a position holds one
 * unit (CC_CONFLICT "position_taken"); empty strings take it out of
 * storage. Custody event and audit entry; joins the caller's transaction. */
cc_status lab_unit_record_move(db *d, const store_actor *actor, const lab_unit_row *u,
                               const char *freezer, const char *rack, const char *box,
                               const char *position, const char *note, cc_error *err);
/* Custody-only events (thaw, transfer) with a note. */
cc_status lab_unit_note_event(db *d, const store_actor *actor, int64_t unit_id, const char *event,
                              const char *note, cc_error *err);

/* Unit views carry "freezing" and "thaw" lists (at most one row each; the
 * thaw row with its product type's post_thaw_hours, expires_at and
 * min_viability_tenths). The unit's patients (owner_mrn, reserved_mrn and
 * names, issued_mrn) are named only when they belong to site_id (0: any
 * site); another site's patient keeps its id, its identity is null. The
 * unit lists (lab_unit_list_json) name them by the same rule for their
 * query's site_id. */
cc_status lab_unit_json(db *d, int64_t site_id, int64_t id, buf *out, cc_error *err);

/* ---- cryopreservation and thaw (H14; decisions: core lab_check_freezing,
 * lab_check_thaw) ---- */
/* Whether the unit has a freezing record (and its time) and a thaw record;
 * the state is the caller's to fill (lab_unit_load). */
cc_status lab_unit_cryo_load(db *d, int64_t unit_id, lab_cryo_facts *f, cc_error *err);
typedef struct {
    const char *cryoprotectant; /* "DMSO", ... */
    int concentration_tenths;   /* tenths of a percent */
    int rate_tenths;            /* cooling rate, tenths of a degree per minute */
    int64_t frozen_at;          /* seconds */
} lab_freezing_new;
/* The freezing record with its audit entry; the schema keeps one per unit. */
cc_status lab_unit_record_freezing(db *d, const store_actor *actor, int64_t unit_id,
                                   const lab_freezing_new *n, int64_t *id, cc_error *err);
typedef struct {
    int64_t thawed_at;    /* seconds */
    int64_t viable_cells; /* post-thaw viable cell count */
    int viability_tenths;
} lab_thaw_new;
/* The ids of a batch's units that have no freezing record and are not
 * administered, discarded or expired, in id order (at most cap; *n). */
cc_status lab_batch_units_to_freeze(db *d, int64_t batch_id, int64_t *ids, size_t cap, size_t *n,
                                    cc_error *err);
/* The thaw record with its audit entry and a "thaw" custody event. */
cc_status lab_unit_record_thaw(db *d, const store_actor *actor, int64_t unit_id,
                               const lab_thaw_new *n, int64_t *id, cc_error *err);
/* Every product type's post-thaw window and minimum viability, as a JSON
 * array of {product_type, post_thaw_hours, min_viability_tenths}. */
cc_status lab_cryo_settings_json(db *d, buf *out, cc_error *err);
/* Sets one product type's values (audited, entity "cryo_settings");
 * CC_NOT_FOUND "product_type" when it has no row. */
cc_status lab_cryo_settings_set(db *d, const store_actor *actor, const char *product_type,
                                int post_thaw_hours, int min_viability_tenths, cc_error *err);

typedef struct {
    const char *state; /* "" any */
    int64_t batch_id;  /* 0 any */
    const char *din;   /* "" any: exact 13 data characters */
    const char *q;     /* NULL any: DIN (with its check character), product code
                          or batch number holding q (lab_code_pattern) */
    int expiring_days; /* >= 0: only units in the lab expiring within N days */
    const char *today; /* YYYY-MM-DD, with expiring_days */
    const char *until; /* YYYY-MM-DD, with expiring_days */
    bool with_expired; /* with expiring_days: also units already past their expiry
                          and still in stock (the four states above or "expired",
                          whatever the expiry sweep has done yet), expiry first */
    int64_t page, per_page;
    int64_t site_id; /* 0 any: else the units of that site and those shipped to it */
    bool arriving;   /* only the units in transit to site_id (shipped, not received) */
} lab_unit_query;
cc_status lab_unit_list_json(db *d, const lab_unit_query *q, buf *out, int64_t *total,
                             cc_error *err);
/* Freezer map: every position of a freezer ("" every freezer) occupied by a
 * unit of site_id. */
cc_status lab_storage_json(db *d, int64_t site_id, const char *freezer, buf *out, cc_error *err);

/* What a label shows, copied into the caller's fixed buffers. */
typedef struct {
    isbt128_din din;
    char product_code[ISBT128_PDC_TEXT];
    int division;
    char product_type[16];
    uint64_t cells;
    double volume_ml, viability;
    char expiry[CC_DATE_TEXT];
    char storage[200];
    char state[16];
    char owner_mrn[16]; /* "" when allogeneic */
    char batch_code[32];
    char product_description[128];   /* the site's text for the product code */
    char collected_on[CC_DATE_TEXT]; /* earliest collection of the batch */
    bool autologous;
    int64_t owner_patient_id; /* 0 when allogeneic */
    char owner_name[160];     /* "FAMILY, Given" when autologous */
    char owner_birth_date[CC_DATE_TEXT];
    /* the batch's donors: "eligible" (all), "ineligible" (any), else
     * "incomplete"; screening complete when every donor has a result for
     * every required test; reactive: required tests whose most recent
     * result is positive, upper case, ", " between ("HBV, HCV") */
    char eligibility[16];
    bool screening_complete;
    char reactive[64];
    char facility_name[128];
    char facility_address[320];
    char fin[ISBT128_FIN_LEN + 1];
    char label_language[8];
} lab_label_data;
cc_status lab_unit_label_data(db *d, int64_t id, lab_label_data *out, cc_error *err);

/* Inside the caller's transaction: applies event to every unit of a batch
 * that is in state from (through unit_state_apply), with custody events and
 * audit entries; note is recorded on each (a batch's release moves its
 * quarantined units to released, a rejection discards them). */
cc_status lab_units_batch_event(db *d, const store_actor *actor, int64_t batch_id, unit_state from,
                                unit_event event, const char *note, cc_error *err);

/* ---- lookback ---- */

typedef enum { LAB_FROM_DONOR, LAB_FROM_COLLECTION, LAB_FROM_BATCH } lab_lookback_from;

/* {"units":[{unit, state, batch, donor}...], "recipients":[{patient, unit, date}...]} */
cc_status lab_lookback_json(db *d, lab_lookback_from from, int64_t id, buf *out, cc_error *err);
/* From a patient: every unit they received and its batch and donors. */
cc_status lab_exposure_json(db *d, int64_t patient_id, buf *out, cc_error *err);

/* Shipping a unit between sites (store/sites.h). lab_unit_ship: a released
 * or reserved unit of from_site leaves for to_site (custody event "shipped"
 * with both sites and the note; the unit leaves its storage position and
 * stays visible at both sites until it is received); another site's unit is CC_NOT_FOUND, one
 * already in transit CC_CONFLICT "in_transit", another state CC_CONFLICT "not_shippable".
 * lab_unit_receive: the unit shipped to site arrives there (custody event
 * "received" with the temperature on arrival, core/shipping.h); outside
 * its range it is put in quarantine with the reason (*quarantined). A
 * unit not shipped to site is CC_CONFLICT "not_shipped_here". Each in one
 * transaction with its audit entries (joining the caller's). */
cc_status lab_unit_ship(db *d, const store_actor *actor, int64_t unit_id, int64_t from_site,
                        int64_t to_site, const char *note, cc_error *err);
cc_status lab_unit_receive(db *d, const store_actor *actor, int64_t unit_id, int64_t site,
                           int temperature_dc, const char *note, bool *quarantined, cc_error *err);

#endif
