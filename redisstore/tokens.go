package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// tokenFields encodes t as the field/value pairs of its hash.
func tokenFields(t store.Token) []any {
	f := []any{
		"value", t.Value, "kind", string(t.Kind), "page", t.Page, "user", t.User, "topic", t.Topic,
		"iss_s", secs(t.IssuedAt), "iss_n", nanos(t.IssuedAt),
		"min_s", itoa(int64(t.MinInterval / time.Second)), "min_n", itoa(int64(t.MinInterval % time.Second)),
		"state", string(t.State), "uses", strconv.Itoa(t.Uses),
	}
	if !t.ExpiresAt.IsZero() {
		f = append(f, "exp_s", secs(t.ExpiresAt), "exp_n", nanos(t.ExpiresAt))
	}
	if !t.LastUsed.IsZero() {
		f = append(f, "lu_s", secs(t.LastUsed), "lu_n", nanos(t.LastUsed))
	}
	return f
}

// decodeToken reads a token hash.
func decodeToken(h map[string]string) store.Token {
	minS, _ := strconv.ParseInt(h["min_s"], 10, 64)
	minN, _ := strconv.ParseInt(h["min_n"], 10, 64)
	uses, _ := strconv.Atoi(h["uses"])
	return store.Token{
		Value:       h["value"],
		Kind:        store.TokenKind(h["kind"]),
		Page:        h["page"],
		User:        h["user"],
		Topic:       h["topic"],
		IssuedAt:    pairTime(h, "iss"),
		ExpiresAt:   pairTime(h, "exp"),
		MinInterval: time.Duration(minS)*time.Second + time.Duration(minN),
		State:       store.TokenState(h["state"]),
		LastUsed:    pairTime(h, "lu"),
		Uses:        uses,
	}
}

// tokenTTL is how long Redis keeps t: until TokenGrace after it expires, counted
// from the store's clock; 0 (for ever) when it never expires.
func (s *Store) tokenTTL(t store.Token) int64 {
	if t.ExpiresAt.IsZero() {
		return 0
	}
	return ttlMillis(max(t.ExpiresAt.Sub(s.now()), 0) + TokenGrace)
}

// PutToken implements [store.Tokens]. Replacing a token of the same Page is one
// script; moving a token to another Page (which Graph never does) takes two.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	t, err := storekit.PrepareToken(t)
	if err != nil {
		return err
	}
	if err := checkPage("PutToken", "Token.Page", t.Page); err != nil {
		return err
	}
	oldPage, err := s.rdb.Get(ctx, s.tokenPageKey(t.Value)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return wrap("PutToken", err)
	}
	if err == nil && oldPage != t.Page {
		err := deleteTokenScript.Run(ctx, s.rdb, []string{s.tokenPrefix(oldPage) + t.Value, s.pageTokensKey(oldPage)},
			t.Value, s.pageKey(oldPage)+"toks:", s.topicPrefix(oldPage)).Err()
		if err != nil {
			return wrap("PutToken", err)
		}
	}
	if err := s.rdb.SAdd(ctx, s.pagesKey(), t.Page).Err(); err != nil {
		return wrap("PutToken", err)
	}
	ttl := s.tokenTTL(t)
	args := append([]any{t.Value, t.User, s.pageKey(t.Page) + "toks:", ttl, t.Topic, s.topicPrefix(t.Page)}, tokenFields(t)...)
	err = putTokenScript.Run(ctx, s.rdb,
		[]string{s.tokenPrefix(t.Page) + t.Value, s.userTokensKey(t.Page, t.User), s.pageTokensKey(t.Page), s.topicPrefix(t.Page) + t.Topic},
		args...).Err()
	if err != nil {
		return wrap("PutToken", err)
	}
	return wrap("PutToken", s.rdb.Set(ctx, s.tokenPageKey(t.Value), t.Page, time.Duration(ttl)*time.Millisecond).Err())
}

// ClaimToken implements [store.Tokens] in one script: the pick and the update are
// atomic across every instance sharing the Redis.
func (s *Store) ClaimToken(ctx context.Context, q store.TokenQuery, now time.Time) (store.Token, error) {
	if err := s.check(ctx); err != nil {
		return store.Token{}, err
	}
	if err := storekit.CheckClaim(q); err != nil {
		return store.Token{}, err
	}
	if err := checkPage("ClaimToken", "page", q.Page); err != nil {
		return store.Token{}, err
	}
	cmd := s.runAcked(ctx, claimTokenScript, []string{s.userTokensKey(q.Page, q.User)},
		s.tokenPrefix(q.Page), string(q.Kind), q.Topic, secs(now), nanos(now),
		string(store.OneTimeKind), string(store.TokenClaimed), string(store.TokenLive))
	err := cmd.Err()
	if errors.Is(err, redis.Nil) {
		return store.Token{}, store.ErrNoToken
	}
	if err != nil {
		if res, ok := cmd.Val().([]any); ok && s.ack.replicas > 0 {
			// The script claimed a token, but the call failed after it (the
			// replicas did not answer in time, or the connection broke): the caller
			// sends nothing, so the token goes back, as after a send that provably
			// did not go out, instead of staying claimed for nothing.
			gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.ack.timeout)
			defer cancel()
			if rerr := s.ReleaseToken(gctx, claimedToken(res)); rerr != nil {
				err = fmt.Errorf("%w (and giving the token back failed: %w)", err, rerr)
			}
		}
		return store.Token{}, wrap("ClaimToken", err)
	}
	res, err := cmd.Slice()
	if err != nil {
		return store.Token{}, wrap("ClaimToken", err)
	}
	return claimedToken(res), nil
}

// claimedToken decodes the token claim_token answers with: a flat list of its
// hash's fields and values.
func claimedToken(res []any) store.Token {
	h := make(map[string]string, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		k, _ := res[i].(string)
		v, _ := res[i+1].(string)
		h[k] = v
	}
	return decodeToken(h)
}

// pageOf finds the Page of a token by its value.
func (s *Store) pageOf(ctx context.Context, op, value string) (string, error) {
	page, err := s.rdb.Get(ctx, s.tokenPageKey(value)).Result()
	if errors.Is(err, redis.Nil) {
		return "", store.ErrNoToken
	}
	return page, wrap(op, err)
}

// ReleaseToken implements [store.Tokens] in one script. It returns
// [store.ErrNoToken] when no token has the claimed Value.
func (s *Store) ReleaseToken(ctx context.Context, claimed store.Token) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	page, err := s.pageOf(ctx, "ReleaseToken", claimed.Value)
	if err != nil {
		return err
	}
	luS, luN := "", ""
	if !claimed.LastUsed.IsZero() {
		luS, luN = secs(claimed.LastUsed), nanos(claimed.LastUsed)
	}
	n, err := releaseTokenScript.Run(ctx, s.rdb, []string{s.tokenPrefix(page) + claimed.Value},
		claimed.Uses, luS, luN, string(store.OneTimeKind), string(store.TokenClaimed),
		string(store.TokenLive), string(store.TokenDead)).Int()
	if err != nil {
		return wrap("ReleaseToken", err)
	}
	if n < 0 {
		return store.ErrNoToken
	}
	return nil
}

// KillToken implements [store.Tokens]. It returns [store.ErrNoToken] when no token
// has the value.
func (s *Store) KillToken(ctx context.Context, value string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	page, err := s.pageOf(ctx, "KillToken", value)
	if err != nil {
		return err
	}
	n, err := killTokenScript.Run(ctx, s.rdb, []string{s.tokenPrefix(page) + value}, string(store.TokenDead)).Int()
	if err != nil {
		return wrap("KillToken", err)
	}
	if n == 0 {
		return store.ErrNoToken
	}
	return nil
}

// ListTokens implements [store.Tokens]: the user's set, then every hash in one
// pipeline.
func (s *Store) ListTokens(ctx context.Context, page, user string) ([]store.Token, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := storekit.CheckWindowKey("ListTokens", page, user); err != nil {
		return nil, err
	}
	if err := checkPage("ListTokens", "page", page); err != nil {
		return nil, err
	}
	values, err := s.rdb.SMembers(ctx, s.userTokensKey(page, user)).Result()
	if err != nil || len(values) == 0 {
		return nil, wrap("ListTokens", err)
	}
	cmds := make([]*redis.MapStringStringCmd, len(values))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, v := range values {
			cmds[i] = p.HGetAll(ctx, s.tokenPrefix(page)+v)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("ListTokens", err)
	}
	var out []store.Token
	for _, c := range cmds {
		if h := c.Val(); len(h) > 0 { // empty: Redis expired it
			out = append(out, decodeToken(h))
		}
	}
	storekit.SortForList(out)
	return out, nil
}

// PurgeTokens implements [store.Tokens]: one script per Page that has tokens.
func (s *Store) PurgeTokens(ctx context.Context, now time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	pages, err := s.rdb.SMembers(ctx, s.pagesKey()).Result()
	if err != nil {
		return 0, wrap("PurgeTokens", err)
	}
	n := 0
	for _, page := range pages {
		gone, err := purgeTokensScript.Run(ctx, s.rdb, []string{s.pageTokensKey(page)},
			s.tokenPrefix(page), s.pageKey(page)+"toks:", secs(now), nanos(now),
			string(store.TokenDead), string(store.TokenClaimed), string(store.OneTimeKind), s.topicPrefix(page)).StringSlice()
		if err != nil {
			return n, wrap("PurgeTokens", err)
		}
		n += len(gone)
		for _, v := range gone {
			// Only if it still points at this Page: a PutToken since may have moved it.
			if err := deleteIfScript.Run(ctx, s.rdb, []string{s.tokenPageKey(v)}, page).Err(); err != nil {
				return n, wrap("PurgeTokens", err)
			}
		}
	}
	return n, nil
}

// TokensByTopic implements [store.TopicTokens] in one script over the Page's set
// of the topic, so it reads only the tokens it returns.
func (s *Store) TokensByTopic(ctx context.Context, page, topic string) ([]store.Token, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := storekit.CheckTopicTokens(page); err != nil {
		return nil, err
	}
	if err := checkPage("TokensByTopic", "page", page); err != nil {
		return nil, err
	}
	res, err := tokensByTopicScript.Run(ctx, s.rdb,
		[]string{s.topicPrefix(page) + topic, s.pageTokensKey(page), s.topicsMarkerKey(page)},
		s.tokenPrefix(page), s.topicPrefix(page)).Slice()
	if err != nil {
		return nil, wrap("TokensByTopic", err)
	}
	var out []store.Token
	for _, r := range res {
		fields, _ := r.([]any)
		h := make(map[string]string, len(fields)/2)
		for i := 0; i+1 < len(fields); i += 2 {
			k, _ := fields[i].(string)
			v, _ := fields[i+1].(string)
			h[k] = v
		}
		t := decodeToken(h)
		// The sets are kept with the hashes; be safe anyway, since a wrong token
		// here is a message nobody asked for.
		if t.Page == page && t.Topic == topic {
			out = append(out, t)
		}
	}
	storekit.SortForList(out)
	return out, nil
}
