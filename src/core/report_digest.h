/*
 * report_digest: one patient's part of the outcome report as bytes, so that
 * the report over a million patients reads one short row per patient instead
 * of scanning the screenings, plans, administrations, follow-up visits and
 * measure series and matching the observations to the visits' windows.
 *
 * A digest is derived data: what store/report_data reads for the patient
 * (each participant: a protocol's screenings and newest approved plan, its
 * administrations, its visits) and the measure values already chosen for
 * each participant's baseline and visits (core/report's matching rules).
 * It carries no filter: the report applies its filters to what it reads.
 *
 * Layout: participants one after the other, each a head (protocol name,
 * plan, flags, days, counts) followed by its visits, the measures seen in
 * the patient's series (first-seen order) and the chosen values. Numbers
 * are little-endian, so the bytes mean the same on every machine; written
 * by hand because the layout is three fixed records and no Debian library
 * packs them more simply. A value's slot is 0 for the baseline and k for
 * the participant's visit k - 1 (the time point of that visit's label).
 *
 * Writers append to a caller's buf (buf_failed on overflow); the reader
 * checks every length against the bytes and returns false on anything
 * malformed, without reading past them. Pure, thread-safe.
 */
#ifndef CC_REPORT_DIGEST_H
#define CC_REPORT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "date.h"

enum { DIGEST_LABEL_MAX = 31, DIGEST_PROTOCOL_MAX = 255, DIGEST_COUNT_MAX = 65535 };

typedef struct {
    char protocol[DIGEST_PROTOCOL_MAX + 1];
    int64_t plan_id; /* 0: no approved plan */
    bool screened, eligible;
    bool visits_left_out; /* visits of time points over the report's limit */
    cc_date screened_on, start, first_administration; /* INT32_MIN: none */
    int64_t administrations;
    uint16_t n_visits, n_seen, n_values;
} digest_head;

typedef struct {
    char label[DIGEST_LABEL_MAX + 1];
    int32_t months;
    cc_date target, window_start, window_end;
    uint8_t status; /* store/report_data's report_visit_status */
    bool asks_satisfaction, satisfaction_link;
} digest_visit;

typedef struct {
    uint32_t measure;
    uint16_t slot; /* 0 baseline, k: the participant's visit k - 1 */
    double value;
} digest_value;

/* Writers: a head, then exactly its n_visits visits, n_seen measure ids and
 * n_values values, in that order. A protocol or label longer than its
 * maximum is the caller's error (the writer truncates it). */
void digest_put_head(buf *b, const digest_head *h);
void digest_put_visit(buf *b, const digest_visit *v);
void digest_put_seen(buf *b, uint32_t measure);
void digest_put_value(buf *b, const digest_value *v);

typedef struct {
    const unsigned char *at, *end;
} digest_reader;

void digest_reader_init(digest_reader *r, const unsigned char *bytes, size_t len);
/* Whether bytes are left (the next thing is a head). */
bool digest_more(const digest_reader *r);
/* Each reads one item of the kind the layout says comes next; false when the
 * bytes end early or a length is out of range. */
bool digest_get_head(digest_reader *r, digest_head *h);
bool digest_get_visit(digest_reader *r, digest_visit *v);
bool digest_get_seen(digest_reader *r, uint32_t *measure);
bool digest_get_value(digest_reader *r, digest_value *v);

/* Passes over the visits, measures seen and values of the participant whose
 * head was just read; false as the readers. */
bool digest_skip(digest_reader *r, const digest_head *h);

/* Whether bytes read whole as a patient's digest (every item, to the end). */
bool digest_well_formed(const unsigned char *bytes, size_t len);

#endif
