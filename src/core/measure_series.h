/*
 * measure_series: the numeric values of a patient's observations as one
 * compact series, so that an outcome report over 100,000 patients reads one
 * row per patient instead of parsing two million stored score documents.
 *
 * The series is derived data: the observation (answers and scores) stays the
 * record; the series is written in the same transaction as the observation
 * and can be rebuilt from the observations at any time.
 *
 * A record is (day, measure, value): the observation's calendar day, the id
 * of the (instrument, score) pair in the store's dictionary, and the value.
 * An ISNCSCI AIS grade is kept as the measure named MEASURE_AIS_SCORE with the
 * value 0..4 for A..E. Encoded as MEASURE_RECORD_BYTES little-endian bytes
 * (int32 day, uint32 measure, IEEE-754 binary64 value), so the bytes mean the
 * same on every machine; written by hand because no Debian library packs
 * three numbers more simply.
 *
 * Memory: the caller owns every buffer. Pure, thread-safe.
 */
#ifndef CC_MEASURE_SERIES_H
#define CC_MEASURE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"

enum { MEASURE_RECORD_BYTES = 16, MEASURE_NAME_MAX = 40 };

#define MEASURE_AIS_SCORE "ais_grade"

typedef struct {
    cc_date day;
    uint32_t measure;
    double value;
} measure_record;

/* One numeric value of an observation, named by its score within the
 * instrument (the store maps (instrument, score) to a measure id). */
typedef struct {
    char score[MEASURE_NAME_MAX + 1];
    double value;
} measure_value;

/* Writes n records into out (n * MEASURE_RECORD_BYTES bytes). */
void measure_series_encode(const measure_record *records, size_t n, unsigned char *out);

/* Reads record i of an encoded series (i < len / MEASURE_RECORD_BYTES). */
measure_record measure_series_at(const unsigned char *series, size_t i);

/* Number of whole records in len bytes. */
size_t measure_series_count(size_t len);

#endif
