package messengertest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GraphVersion is one Graph API version and the dates Meta published for it. A call
// to a version runs as that version until Expires and, once it expired on the fake
// clock's date, as the oldest version still usable then, as Graph runs it; a call
// without a version runs as the app's default version.
type GraphVersion struct {
	// Version is the path segment, "v25.0".
	Version string
	// Released is the day Meta released the version (00:00 UTC).
	Released time.Time
	// Expires is the day it stopped being usable (00:00 UTC); zero while Meta has
	// announced no date.
	Expires time.Time
}

// usable reports whether v serves calls at t.
func (v GraphVersion) usable(t time.Time) bool {
	return !t.Before(v.Released) && (v.Expires.IsZero() || t.Before(v.Expires))
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// graphVersions is Meta's published schedule of Graph API versions, oldest first.
// v26.0 has no expiry date yet; WithGraphVersions sets one, or adds later versions.
var graphVersions = []GraphVersion{
	{"v1.0", day(2010, 4, 21), day(2015, 4, 30)},
	{"v2.0", day(2014, 4, 30), day(2016, 8, 8)},
	{"v2.1", day(2014, 8, 7), day(2016, 10, 31)},
	{"v2.2", day(2014, 10, 30), day(2017, 3, 27)},
	{"v2.3", day(2015, 3, 25), day(2017, 7, 10)},
	{"v2.4", day(2015, 7, 8), day(2017, 10, 9)},
	{"v2.5", day(2015, 10, 7), day(2018, 4, 12)},
	{"v2.6", day(2016, 4, 12), day(2018, 7, 13)},
	{"v2.7", day(2016, 7, 13), day(2018, 10, 5)},
	{"v2.8", day(2016, 10, 5), day(2019, 4, 18)},
	{"v2.9", day(2017, 4, 18), day(2019, 7, 22)},
	{"v2.10", day(2017, 7, 18), day(2019, 11, 7)},
	{"v2.11", day(2017, 11, 7), day(2020, 1, 28)},
	{"v2.12", day(2018, 1, 30), day(2020, 5, 5)},
	{"v3.0", day(2018, 5, 1), day(2020, 7, 28)},
	{"v3.1", day(2018, 7, 26), day(2020, 10, 27)},
	{"v3.2", day(2018, 10, 23), day(2021, 5, 4)},
	{"v3.3", day(2019, 4, 30), day(2021, 8, 3)},
	{"v4.0", day(2019, 7, 29), day(2021, 11, 2)},
	{"v5.0", day(2019, 10, 29), day(2022, 2, 3)},
	{"v6.0", day(2020, 2, 3), day(2022, 5, 5)},
	{"v7.0", day(2020, 5, 5), day(2022, 8, 4)},
	{"v8.0", day(2020, 8, 4), day(2022, 11, 1)},
	{"v9.0", day(2020, 11, 10), day(2023, 2, 23)},
	{"v10.0", day(2021, 2, 23), day(2023, 6, 8)},
	{"v11.0", day(2021, 6, 8), day(2023, 9, 14)},
	{"v12.0", day(2021, 9, 14), day(2024, 2, 8)},
	{"v13.0", day(2022, 2, 8), day(2024, 5, 28)},
	{"v14.0", day(2022, 5, 25), day(2024, 9, 17)},
	{"v15.0", day(2022, 9, 15), day(2024, 11, 20)},
	{"v16.0", day(2023, 2, 2), day(2025, 5, 14)},
	{"v17.0", day(2023, 5, 23), day(2025, 9, 12)},
	{"v18.0", day(2023, 9, 12), day(2026, 1, 26)},
	{"v19.0", day(2024, 1, 23), day(2026, 5, 21)},
	{"v20.0", day(2024, 5, 21), day(2026, 9, 24)},
	{"v21.0", day(2024, 10, 2), day(2027, 1, 21)},
	{"v22.0", day(2025, 1, 21), day(2027, 5, 20)},
	{"v23.0", day(2025, 5, 29), day(2027, 10, 8)},
	{"v24.0", day(2025, 10, 8), day(2028, 2, 18)},
	{"v25.0", day(2026, 2, 18), day(2028, 7, 29)},
	{"v26.0", day(2026, 7, 29), time.Time{}},
}

// GraphVersions returns the schedule of Graph API versions the fake knows by
// default, oldest first.
func GraphVersions() []GraphVersion { return slices.Clone(graphVersions) }

// UnknownVersion says what the fake does with a call under a version Graph never
// released (/v99.0/): one missing from the schedule. Graph's answer to such a call
// is not documented, so it is a choice.
type UnknownVersion int

const (
	// RefuseUnknownVersion answers 400 with code 100 naming the version and the
	// versions usable now. The default: a typo in a version fails loudly.
	RefuseUnknownVersion UnknownVersion = iota
	// ServeUnknownAsDefault runs the call as the app's default version, as an
	// unversioned call runs.
	ServeUnknownAsDefault
)

// versionOrder compares "vMAJOR.MINOR" numerically (v2.10 after v2.9).
func versionOrder(a, b string) int {
	am, an := versionNumbers(a)
	bm, bn := versionNumbers(b)
	return cmp.Or(cmp.Compare(am, bm), cmp.Compare(an, bn))
}

func versionNumbers(v string) (major, minor int) {
	ma, mi, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	major, _ = strconv.Atoi(ma)
	minor, _ = strconv.Atoi(mi)
	return major, minor
}

// versionTable is the schedule a server uses, sorted oldest first.
type versionTable []GraphVersion

func (vt versionTable) find(version string) (GraphVersion, bool) {
	for _, v := range vt {
		if v.Version == version {
			return v, true
		}
	}
	return GraphVersion{}, false
}

// merge adds or replaces versions by name and keeps the table sorted.
func (vt versionTable) merge(add []GraphVersion) versionTable {
	out := slices.Clone(vt)
	for _, a := range add {
		if i := slices.IndexFunc(out, func(v GraphVersion) bool { return v.Version == a.Version }); i >= 0 {
			out[i] = a
		} else {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b GraphVersion) int { return versionOrder(a.Version, b.Version) })
	return out
}

// usableAt lists the versions that serve calls at t, oldest first.
func (vt versionTable) usableAt(t time.Time) []string {
	var out []string
	for _, v := range vt {
		if v.usable(t) {
			out = append(out, v.Version)
		}
	}
	return out
}

// effectiveVersion is the version a call runs as at t. A version of the schedule
// runs as itself while usable and as the oldest usable version once expired; one
// released after t runs as itself, so moving the fake clock back to test the rules
// of the past does not refuse the client's version. No version (asked == "") runs
// as the app's default version, upgraded the same way. A version the schedule does
// not hold is refused, or run as the default, as WithUnknownVersions says.
func (s *Server) effectiveVersion(asked string, t time.Time) (string, *graphError) {
	vt := s.cfg.versions
	if asked != "" {
		if v, ok := vt.find(asked); ok {
			return vt.upgrade(v, t), nil
		}
		if s.cfg.unknownVersion == RefuseUnknownVersion {
			return "", errParam("Graph API %s does not exist; usable versions on %s: %s", asked, t.Format(time.DateOnly), strings.Join(vt.usableAt(t), ", "))
		}
	}
	v, _ := vt.find(s.cfg.appVersion)
	return vt.upgrade(v, t), nil
}

// upgrade is the version a call to v runs as at t.
func (vt versionTable) upgrade(v GraphVersion, t time.Time) string {
	if v.Expires.IsZero() || t.Before(v.Expires) {
		return v.Version
	}
	if usable := vt.usableAt(t); len(usable) > 0 {
		return usable[0]
	}
	return v.Version // nothing is usable: the table ends before t
}

func checkVersionTable(vt versionTable) error {
	for _, v := range vt {
		if !graphVersion.MatchString(v.Version) {
			return fmt.Errorf("messengertest: WithGraphVersions: want a version like v25.0, got %q", v.Version)
		}
		if v.Released.IsZero() {
			return fmt.Errorf("messengertest: WithGraphVersions: %s has no release date", v.Version)
		}
		if !v.Expires.IsZero() && !v.Expires.After(v.Released) {
			return fmt.Errorf("messengertest: WithGraphVersions: %s expires (%s) before it is released (%s)",
				v.Version, v.Expires.Format(time.DateOnly), v.Released.Format(time.DateOnly))
		}
	}
	return nil
}
