package persona

import (
	"context"
	"errors"
)

// Ensure returns the persona named name, creating it with pictureURL only if the
// Page has none by that name, so a bot can call it on every message:
//
//	anna, err := personas.Ensure(ctx, "Anna", "https://example.com/anna.jpg")
//
// The first call lists the Page's personas once to learn the existing names; later
// calls are answered from the cache. Concurrent calls for one name share one lookup
// and at most one create, so no duplicate is made by this Client. pictureURL is used
// only when creating: the cache is keyed by name.
//
// A caller whose context ends stops waiting; the others carry on. If the caller
// doing the shared work is cancelled, the waiters retry rather than fail with its
// cancellation.
func (p *Client) Ensure(ctx context.Context, name, pictureURL string) (Persona, error) {
	if err := validate(name, pictureURL); err != nil {
		return Persona{}, err
	}
	for {
		p.mu.Lock()
		if per, ok := p.byName[name]; ok {
			p.mu.Unlock()
			return per, nil
		}
		if f := p.flights[name]; f != nil {
			p.mu.Unlock()
			per, retry, err := wait(ctx, f)
			if retry {
				continue
			}
			return per, err
		}
		f := &flight{done: make(chan struct{})}
		p.flights[name] = f
		p.mu.Unlock()

		f.p, f.err = p.ensure(ctx, name, pictureURL)
		p.mu.Lock()
		delete(p.flights, name)
		if f.err == nil {
			p.byName[name] = f.p
		}
		p.mu.Unlock()
		close(f.done)
		return f.p, f.err
	}
}

// wait waits for f; retry is true when f failed only because its owner's context
// ended while ours is still alive.
func wait(ctx context.Context, f *flight) (per Persona, retry bool, err error) {
	select {
	case <-ctx.Done():
		return Persona{}, false, ctx.Err()
	case <-f.done:
	}
	if f.err != nil && ctx.Err() == nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
		return Persona{}, true, nil
	}
	return f.p, false, f.err
}

// ensure is the work of one Ensure flight: learn the existing personas, then
// create if the name is still missing.
func (p *Client) ensure(ctx context.Context, name, pictureURL string) (Persona, error) {
	if err := p.load(ctx); err != nil {
		return Persona{}, err
	}
	p.mu.Lock()
	per, ok := p.byName[name]
	p.mu.Unlock()
	if ok {
		return per, nil
	}
	per, err := p.create(ctx, name, pictureURL)
	if err != nil {
		// A create that failed on the way back may still have made the persona:
		// list again before the next create instead of risking a duplicate.
		p.mu.Lock()
		p.loaded = false
		p.mu.Unlock()
	}
	return per, err
}

// load fills the cache from List once; concurrent callers share one listing.
func (p *Client) load(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.loaded {
			p.mu.Unlock()
			return nil
		}
		if f := p.loading; f != nil {
			p.mu.Unlock()
			_, retry, err := wait(ctx, f)
			if retry {
				continue
			}
			return err
		}
		f := &flight{done: make(chan struct{})}
		p.loading = f
		p.mu.Unlock()

		found := map[string]Persona{}
		for per, err := range p.List(ctx) {
			if err != nil {
				f.err = err
				break
			}
			if _, dup := found[per.Name]; !dup {
				found[per.Name] = per
			}
		}
		p.mu.Lock()
		p.loading = nil
		if f.err == nil {
			for name, per := range found {
				if _, ok := p.byName[name]; !ok {
					p.byName[name] = per
				}
			}
			p.loaded = true
		}
		p.mu.Unlock()
		close(f.done)
		return f.err
	}
}

// Forget empties the cache, so the next Ensure lists the Page's personas again
// (after personas were deleted elsewhere, for example).
func (p *Client) Forget() {
	p.mu.Lock()
	p.byName = map[string]Persona{}
	p.loaded = false
	p.mu.Unlock()
}
