package transport

// Class says what a failed Graph call allows the caller to do next.
type Class int

const (
	// Permanent failures stay until something changes (a window opens, a token is
	// refreshed, a parameter is fixed): retrying only repeats them.
	Permanent Class = iota
	// Refused failures prove the call did not run: Graph's rate limits and
	// temporary blocks refuse a call before acting on it, and a connection that
	// could not be made carried nothing. Repeating such a call cannot duplicate it.
	Refused
	// Transient failures are temporary trouble on Graph's side (1, 2, 1200,
	// is_transient). They say "try again later" but not whether the call took
	// effect: Graph has answered them for sends it delivered. Safe to repeat only
	// when the call is idempotent (or the host opted in).
	Transient
	// Ambiguous failures may have delivered the message anyway: retrying a send
	// might deliver it twice.
	Ambiguous
)

func (c Class) String() string {
	switch c {
	case Refused:
		return "refused"
	case Transient:
		return "transient"
	case Ambiguous:
		return "ambiguous"
	}
	return "permanent"
}

// RateLimitCode reports whether code is one of Graph's throttling codes: 4 (app
// request limit), 17 (user request limit), 32 (Page request limit), 613 (calls
// exceed the rate limit), and the business-use-case limits 80001 (Pages) and
// 80006 (Messenger).
func RateLimitCode(code int) bool {
	switch code {
	case 4, 17, 32, 613, 80001, 80006:
		return true
	}
	return false
}

// Classify sorts a Graph error code and subcode. isTransient is the envelope's
// is_transient flag, which Graph sets on some temporary errors whose codes are
// otherwise permanent.
func Classify(httpStatus, code, subcode int, isTransient bool) Class {
	switch {
	case code == 4 && subcode == 2018354: // minimum delay between marketing messages: not a budget
		return Permanent
	case code == 613 && (subcode == 2018338 || subcode == 1893016): // abusive tag usage; duplicate opt-in request
		return Permanent
	case RateLimitCode(code):
		return Refused
	}
	switch code {
	case 341, 368: // application limit reached; temporarily blocked: refused, not run
		return Refused
	case 1:
		if subcode == 1357046 { // "messages are all sent successfully, but the endpoint returns an error"
			return Ambiguous
		}
		return Transient
	case 2, 1200: // service trouble; temporary send failure
		return Transient
	case 0:
		// No Graph envelope: judge by the HTTP status alone. A 429 refused the
		// call before it ran; a bare 5xx (often a proxy's) does not say whether
		// the call took effect, so it is safe to repeat only when idempotent.
		switch {
		case httpStatus == 429:
			return Refused
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

// Retry reports whether a call that failed with class may be repeated under p:
// a refusal always; temporary trouble when the call is idempotent or the policy
// retries temporary failures of other calls; an ambiguous failure when the call
// is idempotent or the policy accepts duplicates.
func (p Policy) Retry(class Class, idempotent bool) bool {
	switch class {
	case Refused:
		return true
	case Transient:
		return idempotent || p.RetryTransient || p.RetryAmbiguous
	case Ambiguous:
		return idempotent || p.RetryAmbiguous
	}
	return false
}

// MayHaveRun reports whether a call that failed with class may have taken effect
// anyway, which matters only for a call that is not idempotent (a send).
func MayHaveRun(class Class, idempotent bool) bool {
	return !idempotent && (class == Transient || class == Ambiguous)
}
