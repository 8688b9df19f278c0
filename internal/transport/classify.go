package transport

// Class says what a failed Graph call allows the caller to do next.
type Class int

const (
	// Permanent failures stay until something changes (a window opens, a token is
	// refreshed, a parameter is fixed): retrying only repeats them.
	Permanent Class = iota
	// Transient failures are throttling and temporary server trouble: retry later.
	Transient
	// Ambiguous failures may have delivered the message anyway: retrying a send
	// might deliver it twice.
	Ambiguous
)

func (c Class) String() string {
	switch c {
	case Transient:
		return "transient"
	case Ambiguous:
		return "ambiguous"
	}
	return "permanent"
}

// Classify sorts a Graph error code and subcode (reference §10.4).
// isTransient is the envelope's is_transient flag, which Graph sets on some
// temporary errors whose codes are otherwise permanent.
func Classify(httpStatus, code, subcode int, isTransient bool) Class {
	switch code {
	case 1:
		if subcode == 1357046 { // "messages are all sent successfully, but the endpoint returns an error"
			return Ambiguous
		}
		return Transient
	case 2, 1200: // service trouble; temporary send failure
		return Transient
	case 4, 17, 32, 341, 368, 80001: // throttling and temporary blocks
		if code == 4 && subcode == 2018354 { // minimum delay between marketing messages: not a budget
			return Permanent
		}
		return Transient
	case 613:
		switch subcode {
		case 2018338, 1893016: // abusive tag usage; duplicate opt-in request: never a budget
			return Permanent
		}
		return Transient
	case 0:
		// No Graph envelope: judge by the HTTP status alone. A 429 refused the
		// call before it ran; a bare 5xx (often a proxy's) does not say whether
		// the call took effect, so it is safe to repeat only when idempotent.
		switch {
		case httpStatus == 429:
			return Transient
		case httpStatus >= 500:
			return Ambiguous
		}
		return Permanent
	}
	if isTransient {
		return Transient
	}
	return Permanent
}
