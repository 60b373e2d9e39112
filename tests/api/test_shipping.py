#!/usr/bin/env python3
"""A unit made at the laboratory site, shipped to a clinic site and given there.

The laboratory's staff (a lab, qa and physician account of the laboratory
site) make, test and release units; the lab ships one to the clinic with a
courier note; the clinic's nurse receives it with its temperature on
arrival; it is then reserved, issued and given to the clinic's patient. A
unit that arrives outside its range is put in quarantine with the reason.
The destination's dashboard counts the units on their way to it. A
unit still in transit is refused at the bedside (given only where it was
received); shipping twice, receiving at the wrong site and shipping a unit
of another site are refused. With CC_TEST_STORE=pg CC_TEST_PG_STANDBY=1 the
database has a synchronous standby: at the end the primary is killed, the
standby promoted, and everything acknowledged is found there.

    python3 tests/api/test_shipping.py --binary build/cellclinic [-v]
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_laboratory as tl  # noqa: E402


def login(srv, username):
    r = srv.request("POST", "/api/v1/session", {"username": username, "password": harness.PASSWORD})
    if r.status != 200:
        raise harness.CommandError("login %s: %r" % (username, r))
    cookie = [v.split(";", 1)[0].split("=", 1)[1] for v in r.headers_all("Set-Cookie")
              if v.startswith("cc_session=")][0]
    return ("session", cookie, r.json["csrf"])


class LabSite(tl.Lab):
    """The laboratory helpers, acting as the laboratory site's staff."""

    def __init__(self, srv, t, staff):
        super().__init__(srv, t)
        self.staff = staff

    def req(self, method, path, body=None, role="lab", want=None, what=None):
        return super().req(method, path, body, role=self.staff.get(role, role), want=want,
                           what=what)


def laboratory_site(srv, t, roles):
    """The laboratory site LAB and one account of each role working there
    (central.ROLE); {role: credentials}."""
    r = srv.request("POST", "/api/v1/sites",
                    {"code": "LAB", "name": "Laboratoire central", "kind": "laboratory",
                     "fin": "W1234", "time_zone": "Europe/Paris", "language": "fr"},
                    role="admin")
    t.check(r.status == 201, "the admin creates the laboratory site", r)
    staff = {}
    for role in roles:
        name = "central." + role
        r = srv.request("POST", "/api/v1/users", {"username": name, "role": role,
                                                  "password": harness.PASSWORD}, role="admin")
        uid = r.json["id"]
        r = srv.request("PUT", "/api/v1/users/%d/sites" % uid, {"sites": ["LAB"]}, role="admin")
        t.check(r.status == 200, "%s works at the laboratory site" % name, r)
        staff[role] = login(srv, name)
    return staff


def arriving_tile(r):
    """The dashboard's units to receive ({} when the role has no such tile)."""
    return ((r.json or {}).get("sections") or {}).get("units_arriving", {})


def fail_over(srv, t, tb, unit, administration, patient):
    """CC_TEST_PG_STANDBY=1: the primary is killed and its synchronous standby
    promoted; the shipment, the receipt and the administration are all there,
    and the server writes again through its two-host URL."""
    harness.pg_fail_over()
    promoted = time.monotonic()
    r = None
    while time.monotonic() - promoted < 10:
        r = srv.request("POST", "/api/v1/patients/%d/weights" % patient["id"],
                        {"date": tb.D, "kg": 71.4}, role="nurse")
        if r.status == 201:
            break
        time.sleep(0.2)
    t.check(r.status == 201, "writes resume within 10 s of the promotion (%.1f s)"
            % (time.monotonic() - promoted), r)
    r = srv.request("GET", "/api/v1/units/%d" % unit["id"], role="nurse")
    events = [c["event"] for c in r.json.get("custody", [])] if r.status == 200 else []
    t.check(r.status == 200 and r.json["unit"]["state"] == "administered"
            and "shipped" in events and "received" in events,
            "after the failover the unit is still shipped, received and given", r)
    r = srv.request("GET", "/api/v1/administrations/%d" % administration, role="nurse")
    t.check(r.status == 200, "the administration acknowledged before the failover is there", r)


def main():
    args = harness.parse_args()
    t = harness.Tally("shipping", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
            main_lab = tl.Lab(srv, t)
            tl.configure(main_lab)
            staff = laboratory_site(srv, t, ("lab", "qa", "physician"))
            lab = LabSite(srv, t, staff)

            donor = lab.donor()
            _, batch = lab.batch(donor)
            tb, bs = tl.bedside(main_lab)
            patient = bs.patient("Expediee")
            plan_id, items = bs.plan(patient["id"])
            given = lab.unit(batch, cells=items[1]["cells"])
            hot = lab.unit(batch, cells=items[1]["cells"])
            transit = lab.unit(batch, cells=items[1]["cells"])
            lab.qc(batch)
            lab.release(batch)
            owner = srv.db_query("SELECT s.code FROM batches b JOIN sites s ON s.id = b.site_id"
                                 " WHERE b.id = ?", (batch,))
            t.check(owner == [("LAB",)], "the batch belongs to the laboratory site", owner)

            # the first site's lab does not see the laboratory's units
            r = srv.request("GET", "/api/v1/units/%d" % given["id"], role="lab")
            t.check(r.status == 404, "another site's unit is 404", r)
            r = srv.request("POST", "/api/v1/units/%d/ship" % given["id"], {"to_site": "LAB"},
                            role="lab")
            t.check(r.status == 404, "... and cannot be shipped from there", r)

            before = srv.db_checksum()
            r = lab.req("POST", "/api/v1/units/%d/ship" % given["id"], {"to_site": "NOPE"})
            t.check(r.status == 400 and r.error().get("field") == "to_site",
                    "an unknown destination is refused naming to_site", r)
            r = lab.req("POST", "/api/v1/units/%d/ship" % given["id"], {"to_site": "LAB"})
            t.check(r.status == 400 and r.error().get("field") == "to_site",
                    "shipping to the site it is at is refused", r)
            t.check(srv.db_checksum() == before, "refused shipments write nothing")

            for u in (given, hot, transit):
                r = lab.req("POST", "/api/v1/units/%d/ship" % u["id"],
                            {"to_site": "MAIN", "note": "Coursier Médilog, lettre 4411"})
                t.check(r.status == 201 and r.json["unit"]["shipped_to_code"] == "MAIN"
                        and r.json["unit"]["site_code"] == "LAB",
                        "the laboratory ships unit %d to the clinic" % u["id"], r)
            shipped = [c for c in r.json.get("custody", []) if c["event"] == "shipped"]
            t.check(len(shipped) == 1 and shipped[0]["to_site"] == ""
                    and shipped[0]["from_site"] == "Laboratoire central"
                    and "Médilog" in shipped[0]["note"],
                    "the custody event names both sites and the courier", shipped)
            r = lab.req("POST", "/api/v1/units/%d/ship" % given["id"], {"to_site": "MAIN"})
            t.check(r.status == 409 and r.error().get("code") == "in_transit",
                    "a unit in transit is not shipped again", r)
            r = lab.req("POST", "/api/v1/units/%d/receive" % given["id"], {"temperature_c": 5})
            t.check(r.status == 409 and r.error().get("code") == "not_shipped_here",
                    "the sending site cannot receive it", r)

            # the clinic's list of units to receive: the three in transit, none at the laboratory
            r = srv.request("GET", "/api/v1/units?arriving=true", role="nurse")
            t.check(r.status == 200 and sorted(u["id"] for u in r.json["items"])
                    == sorted(u["id"] for u in (given, hot, transit))
                    and all(u["shipped_to_code"] == "MAIN" for u in r.json["items"]),
                    "the clinic lists the units in transit to it", r)
            r = lab.req("GET", "/api/v1/units?arriving=true")
            t.check(r.status == 200 and r.json["items"] == [],
                    "the sending site has nothing to receive", r)
            # the dashboard counts them, each with its sending site, and links to the tab
            arriving = arriving_tile(srv.request("GET", "/api/v1/dashboard", role="nurse"))
            t.check(arriving.get("total") == 3
                    and sorted(x["id"] for x in arriving.get("items", []))
                    == sorted(u["id"] for u in (given, hot, transit))
                    and all(x["site_code"] == "LAB" and x["site_name"] == "Laboratoire central"
                            for x in arriving.get("items", []))
                    and arriving.get("link") == "#/lab/arrivals",
                    "the clinic's dashboard counts the 3 units to receive, from the laboratory",
                    arriving)
            arriving = arriving_tile(lab.req("GET", "/api/v1/dashboard"))
            t.check(arriving.get("total") == 0 and arriving.get("items") == [],
                    "the sending site's dashboard has none to receive", arriving)
            arriving = arriving_tile(srv.request("GET", "/api/v1/dashboard", role="coordinator"))
            t.check(arriving == {}, "no tile for a role that does not read the units", arriving)
            r = srv.request("GET", "/api/v1/units?arriving=maybe", role="nurse")
            t.check(r.status == 400 and r.error().get("field") == "arriving",
                    "a wrong arriving value is refused naming it", r)
            # the destinations: every site, though the laboratory's lab works in one
            r = lab.req("GET", "/api/v1/sites?scope=all")
            t.check(r.status == 200 and sorted(x["code"] for x in r.json["items"]) == ["LAB", "MAIN"]
                    and r.json["current"]["code"] == "LAB",
                    "any user lists every site as a destination", r)
            r = lab.req("GET", "/api/v1/sites")
            t.check(r.status == 200 and [x["code"] for x in r.json["items"]] == ["LAB"],
                    "without scope, the caller's own sites", r)
            r = lab.req("GET", "/api/v1/sites?scope=every")
            t.check(r.status == 400 and r.error().get("field") == "scope",
                    "a wrong scope is refused naming it", r)
            uid = srv.request("GET", "/api/v1/users?per_page=200", role="admin").json["items"]
            uid = [x["id"] for x in uid if x["username"] == "central.lab"][0]
            r = srv.request("GET", "/api/v1/users/%d/sites" % uid, role="admin")
            t.check(r.status == 200 and r.json["all_sites"] is False
                    and [x["code"] for x in r.json["sites"]] == ["LAB"]
                    and r.json["sites"][0]["name"] == "Laboratoire central",
                    "the administrator reads an account's memberships", r)
            r = srv.request("GET", "/api/v1/users/999999/sites", role="admin")
            t.check(r.status == 404, "no such account: 404", r)

            # the clinic: its nurse receives, in range and out of range
            r = srv.request("GET", "/api/v1/units?q=%s" % given["din"], role="nurse")
            t.check(r.status == 200 and [u["id"] for u in r.json["items"]] == [given["id"]],
                    "the clinic finds the unit in transit by its DIN", r)
            r = srv.request("POST", "/api/v1/units/%d/receive" % given["id"],
                            {"temperature_c": 4.5, "note": "colis intact"}, role="nurse")
            t.check(r.status == 200 and r.json["quarantined"] is False
                    and r.json["unit"]["site_code"] == "MAIN"
                    and r.json["unit"]["shipped_to_code"] is None
                    and r.json["unit"]["state"] == "released",
                    "the nurse receives the unit at 4.5 C: it is at the clinic", r)
            r2 = srv.request("GET", "/api/v1/units?arriving=true", role="nurse")
            t.check(r2.status == 200 and given["id"] not in [u["id"] for u in r2.json["items"]],
                    "a received unit leaves the list to receive", r2)
            received = [c for c in r.json.get("custody", []) if c["event"] == "received"]
            t.check(len(received) == 1 and "4.5" in received[0]["note"],
                    "the receipt records the temperature", received)
            r = srv.request("POST", "/api/v1/units/%d/receive" % hot["id"], {"temperature_c": 15},
                            role="nurse")
            t.check(r.status == 200 and r.json["quarantined"] is True
                    and r.json["unit"]["state"] == "quarantine",
                    "a unit arriving at 15 C is received into quarantine", r)
            arriving = arriving_tile(srv.request("GET", "/api/v1/dashboard", role="lab"))
            t.check(arriving.get("total") == 1
                    and [x["id"] for x in arriving.get("items", [])] == [transit["id"]],
                    "received units leave the dashboard's count: the one in transit is left",
                    arriving)
            held = [c for c in r.json.get("custody", []) if c["event"] == "hold"]
            t.check(len(held) == 1 and "15.0" in held[0]["note"], "with the reason", held)
            reason = srv.db_query("SELECT reason FROM audit_log WHERE entity = 'unit' AND"
                                  " entity_id = ? AND action = 'hold'", (str(hot["id"]),))
            t.check(len(reason) == 1 and "outside the range" in reason[0][0],
                    "the quarantine's audit entry states the reason", reason)
            for bad in ("x", None, -300, 101, True):
                before = srv.db_checksum()
                r = srv.request("POST", "/api/v1/units/%d/receive" % transit["id"],
                                {"temperature_c": bad}, role="nurse")
                t.check(r.status == 400 and r.error().get("field") == "temperature_c"
                        and srv.db_checksum() == before,
                        "temperature %r refused naming the field, nothing written" % (bad,), r)

            # given at the clinic: the received unit, not the one in transit
            p = patient["id"]
            for u, item in ((given, 1), (transit, 1)):
                main_lab.req("POST", "/api/v1/units/%d/reserve" % u["id"],
                             {"patient_id": p, "product_type": "uc-msc", "plan_id": plan_id,
                              "plan_item": item, "dose_cells": items[1]["cells"]}, want=200)
            main_lab.req("POST", "/api/v1/units/%d/issue" % transit["id"], {"ward": "Ward A"},
                         want=200)
            u = main_lab.req("GET", "/api/v1/units/%d" % transit["id"]).json["unit"]
            r = srv.request("POST", "/api/v1/administrations",
                            tb.body_for(plan_id, 1, patient, [u], "intravenous"), role="nurse")
            t.check(r.status == 409 and r.error().get("field") == "units"
                    and r.error().get("code") == "unit_not_at_site",
                    "a unit in transit is not given: only where it was received", r)
            main_lab.req("POST", "/api/v1/units/%d/issue" % given["id"], {"ward": "Ward A"},
                         want=200)
            u = main_lab.req("GET", "/api/v1/units/%d" % given["id"]).json["unit"]
            r = srv.request("POST", "/api/v1/administrations",
                            tb.body_for(plan_id, 1, patient, [u], "intravenous"), role="nurse")
            t.check(r.status == 201, "the received unit is given at the clinic", r)
            administration = (r.json.get("administration") or r.json).get("id")
            r = srv.request("GET", "/api/v1/lookback/donors/%d" % donor, role=staff["qa"])
            t.check(r.status == 200, "the laboratory's qa traces the donor", r)
            if harness.pg_has_standby():
                fail_over(srv, t, tb, given, administration, patient)

            r = srv.cli("audit", "verify", *srv.store_args())
            t.check(r.returncode == 0, "audit verify holds", r.stdout + r.stderr)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
