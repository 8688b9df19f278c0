package redisstore

import (
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gomessenger/messenger/store"
)

// luaTime holds the helpers every script shares. Times are (seconds, nanoseconds)
// pairs of integers, which Lua's doubles hold exactly; strings are compared byte by
// byte, as Go does, whatever locale Redis runs in.
const luaTime = `
local function lt(as, an, bs, bn)
  as, an, bs, bn = tonumber(as), tonumber(an), tonumber(bs), tonumber(bn)
  return as < bs or (as == bs and an < bn)
end
local function add(as, an, bs, bn)
  local s, n = tonumber(as) + tonumber(bs), tonumber(an) + tonumber(bn)
  if n >= 1000000000 then s, n = s + 1, n - 1000000000 end
  return s, n
end
local function bless(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`

// luaWindow is store.Window.Apply on one window hash, extending its keep-until time
// and TTL: record_action(key, kind, at_s, at_n, keep_s, keep_n, ttl_ms). It reads
// the hash once and writes it at most once. The usual action, a message later than
// everything the window holds, is written by one HSET of its own: building the
// field list in a table costs the server more than the write.
const luaWindow = `
local MSG, AD = '` + string(store.ActionMessage) + `', '` + string(store.ActionAdClick) + `'
local function record_action(k, kind, at_s, at_n, keep_s, keep_n, ttl)
  local h = redis.call('HMGET', k, 'la_s', 'la_n', 'lm_s', 'lm_n', 'lad_s', 'lad_n', 'ku_s', 'ku_n')
  local la = not h[1] or lt(h[1], h[2], at_s, at_n)
  local extend = not h[7] or lt(h[7], h[8], keep_s, keep_n)
  if la and extend and kind == MSG and (not h[3] or lt(h[3], h[4], at_s, at_n)) then
    redis.call('HSET', k, 'la_k', kind, 'la_s', at_s, 'la_n', at_n, 'lm_s', at_s, 'lm_n', at_n, 'ku_s', keep_s, 'ku_n', keep_n)
    redis.call('PEXPIRE', k, ttl)
    return
  end
  local f = {}
  if la then
    f[#f + 1], f[#f + 2], f[#f + 3], f[#f + 4], f[#f + 5], f[#f + 6] = 'la_k', kind, 'la_s', at_s, 'la_n', at_n
  end
  if kind == MSG and (not h[3] or lt(h[3], h[4], at_s, at_n)) then
    f[#f + 1], f[#f + 2], f[#f + 3], f[#f + 4] = 'lm_s', at_s, 'lm_n', at_n
  end
  if kind == AD and (not h[5] or lt(h[5], h[6], at_s, at_n)) then
    f[#f + 1], f[#f + 2], f[#f + 3], f[#f + 4] = 'lad_s', at_s, 'lad_n', at_n
  end
  if extend then
    f[#f + 1], f[#f + 2], f[#f + 3], f[#f + 4] = 'ku_s', keep_s, 'ku_n', keep_n
  end
  if #f > 0 then redis.call('HSET', k, unpack(f)) end
  -- The TTL follows the keep-until time, which it was set from.
  if extend then redis.call('PEXPIRE', k, ttl) end
end
`

// recordActionScript records one action in one window hash.
//
// KEYS[1] window hash. ARGV: kind, at_s, at_n, keep_s, keep_n, ttl_ms.
var recordActionScript = redis.NewScript(luaTime + luaWindow + `
record_action(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
`)

// luaDedupe records a dedupe key unless it is there and unexpired, and says
// whether it was new: first_seen(key, now, expiry, ttl_ms), now and expiry as
// "<seconds>:<nanoseconds>" (see clockPair), the form the key holds its expiry in.
// A new key costs one command; a key Redis still holds is looked at, and taken
// over when it expired by the caller's clock.
const luaDedupe = `
local function first_seen(k, now, exp, ttl)
  if redis.call('SET', k, exp, 'PX', ttl, 'NX') then return 1 end
  local v = redis.call('GET', k)
  if v then
    local s, n = string.match(v, '^(-?%d+):(%d+)$')
    local ns, nn = string.match(now, '^(-?%d+):(%d+)$')
    if s and ns and lt(ns, nn, s, n) then return 0 end
  end
  redis.call('SET', k, exp, 'PX', ttl)
  return 1
end
`

// firstSeenScript is store.Dedupe.FirstSeen.
//
// KEYS[1] dedupe key. ARGV: now, expiry, ttl_ms.
var firstSeenScript = redis.NewScript(luaTime + luaDedupe + `
return first_seen(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
`)

// putTokenScript replaces a token hash and files it under its user, its topic
// and its Page.
//
// KEYS[1] token hash, KEYS[2] user set, KEYS[3] Page set, KEYS[4] topic set.
// ARGV: value, user, user set prefix, ttl_ms (0: none), topic, topic set prefix,
// then the hash's field/value pairs.
var putTokenScript = redis.NewScript(`
local old = redis.call('HMGET', KEYS[1], 'user', 'topic')
if old[1] and old[1] ~= ARGV[2] then redis.call('SREM', ARGV[3] .. old[1], ARGV[1]) end
if old[2] and old[2] ~= ARGV[5] then redis.call('SREM', ARGV[6] .. old[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`)

// deleteTokenScript removes a token from a Page (when PutToken moves it to another).
//
// KEYS[1] token hash, KEYS[2] Page set. ARGV: value, user set prefix, topic set
// prefix.
var deleteTokenScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 'user', 'topic')
if h[1] then redis.call('SREM', ARGV[2] .. h[1], ARGV[1]) end
if h[2] then redis.call('SREM', ARGV[3] .. h[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
`)

// claimTokenScript is store.Tokens.ClaimToken: among the user's tokens of the kind
// and topic that are claimable at now, it picks the one expiring first (none: never;
// ties: smaller value) and claims it, returning the hash; nil when none qualifies.
// Members whose hash Redis expired are dropped from the set on the way.
//
// KEYS[1] user set. ARGV: token key prefix, kind, topic, now_s, now_n,
// one-time kind, claimed state, live state.
var claimTokenScript = redis.NewScript(luaTime + `
local best, bes, ben, bv
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[1] .. v
  local h = redis.call('HMGET', k, 'kind', 'topic', 'state', 'exp_s', 'exp_n', 'min_s', 'min_n', 'lu_s', 'lu_n')
  if not h[1] then
    redis.call('SREM', KEYS[1], v)
  elseif h[1] == ARGV[2] and h[2] == ARGV[3] and h[3] == ARGV[8] then
    local ok = true
    if h[4] and not lt(ARGV[4], ARGV[5], h[4], h[5]) then ok = false end
    if ok and h[1] ~= ARGV[6] and h[8] then
      local s, n = add(h[8], h[9], h[6], h[7])
      if lt(ARGV[4], ARGV[5], s, n) then ok = false end
    end
    if ok then
      local better
      if not best then better = true
      elseif h[4] and bes then
        if lt(h[4], h[5], bes, ben) then better = true
        elseif lt(bes, ben, h[4], h[5]) then better = false
        else better = bless(v, bv) end
      elseif h[4] then better = true
      elseif bes then better = false
      else better = bless(v, bv) end
      if better then best, bes, ben, bv = k, h[4], h[5], v end
    end
  end
end
if not best then return false end
local cur = redis.call('HMGET', best, 'lu_s', 'lu_n')
if cur[1] then
  redis.call('HSET', best, 'plu_s', cur[1], 'plu_n', cur[2])
else
  redis.call('HDEL', best, 'plu_s', 'plu_n')
end
redis.call('HSET', best, 'undo', '1', 'lu_s', ARGV[4], 'lu_n', ARGV[5])
if ARGV[2] == ARGV[6] then redis.call('HSET', best, 'state', ARGV[7]) end
redis.call('HINCRBY', best, 'uses', 1)
return redis.call('HGETALL', best)
`)

// releaseTokenScript is storekit.Unclaim on a token hash: -1 no such token, 0 nothing
// to undo, 1 undone.
//
// KEYS[1] token hash. ARGV: claimed uses, claimed lu_s, claimed lu_n ("" when
// zero), one-time kind, claimed state, live state, dead state.
var releaseTokenScript = redis.NewScript(`
local k = KEYS[1]
local h = redis.call('HMGET', k, 'kind', 'state', 'uses', 'lu_s', 'lu_n', 'plu_s', 'plu_n', 'undo')
if not h[1] then return -1 end
if h[8] ~= '1' or h[2] == ARGV[7] or tonumber(h[3]) == 0 or tonumber(h[3]) ~= tonumber(ARGV[1]) then return 0 end
if (h[4] or '') ~= ARGV[2] or (h[5] or '') ~= ARGV[3] then return 0 end
if h[1] == ARGV[4] then
  if h[2] ~= ARGV[5] then return 0 end
  redis.call('HSET', k, 'state', ARGV[6])
end
redis.call('HINCRBY', k, 'uses', -1)
if h[6] then
  redis.call('HSET', k, 'lu_s', h[6], 'lu_n', h[7])
else
  redis.call('HDEL', k, 'lu_s', 'lu_n')
end
redis.call('HDEL', k, 'undo', 'plu_s', 'plu_n')
return 1
`)

// killTokenScript marks a token dead: 0 when there is no such token.
//
// KEYS[1] token hash. ARGV: dead state.
var killTokenScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
return 1
`)

// purgeTokensScript is store.Token.Purgeable over one Page; it returns the values
// it deleted.
//
// KEYS[1] Page set. ARGV: token key prefix, user set prefix, now_s, now_n,
// dead state, claimed state, one-time kind, topic set prefix.
var purgeTokensScript = redis.NewScript(luaTime + `
local gone = {}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[1] .. v
  local h = redis.call('HMGET', k, 'kind', 'state', 'exp_s', 'exp_n', 'user', 'topic')
  if not h[1] then
    redis.call('SREM', KEYS[1], v)
  elseif (h[3] and not lt(ARGV[3], ARGV[4], h[3], h[4])) or h[2] == ARGV[5] or (h[1] == ARGV[7] and h[2] == ARGV[6]) then
    redis.call('DEL', k)
    redis.call('SREM', KEYS[1], v)
    redis.call('SREM', ARGV[2] .. h[5], v)
    if h[6] then redis.call('SREM', ARGV[8] .. h[6], v) end
    table.insert(gone, v)
  end
end
return gone
`)

// deleteIfScript deletes a key only if it holds the given value.
//
// KEYS[1] key. ARGV: value.
var deleteIfScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// tokensByTopicScript is store.TopicTokens.TokensByTopic: the hashes of the
// members of one topic set, dropping members whose hash Redis expired (in the
// script, so a PutToken of the same value cannot come between the look and the
// drop). The first call on a Page whose tokens an older version wrote, before
// topic sets existed, files every token of the Page under its topic once and
// sets the Page's marker, all in the same script.
//
// KEYS[1] topic set, KEYS[2] Page set, KEYS[3] the Page's marker. ARGV: token key
// prefix, topic set prefix.
var tokensByTopicScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 0 then
  for _, v in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local tp = redis.call('HGET', ARGV[1] .. v, 'topic')
    if tp then redis.call('SADD', ARGV[2] .. tp, v) end
  end
  redis.call('SET', KEYS[3], '1')
end
local out = {}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', ARGV[1] .. v)
  if #h == 0 then
    redis.call('SREM', KEYS[1], v)
  else
    table.insert(out, h)
  end
end
return out
`)

// The inbox scripts share one key list (see inboxKeys), so in Redis Cluster every
// one of them is single-slot: KEYS[1] pending, KEYS[2] ready, KEYS[3] waiting,
// KEYS[4] dead, KEYS[5] the stream older versions kept, KEYS[6] the id counter,
// KEYS[7] the count of entries moved from the stream. ARGV[1] is the prefix of the
// entries' hashes.
//
// An entry's hash holds body, received, state, attempts, last_error, and, when
// set, retry_at, owner, lease_until and wait. Times are stamps (see stamp), which
// sort as strings in time order. A pending entry is in pending (scored by its
// sequence number) and in exactly one of ready (free at once, scored likewise) and
// waiting (all scores 0, members "<free at>:<id>" so that they sort by the time the
// lease and retry time let the entry go; wait in the hash names the member). A
// dead entry is in dead only.
var luaInbox = luaTime + `
local E = ARGV[1]
local PENDING, DEAD, ZERO, BATCH = '` + string(store.InboxPending) + `', '` + string(store.InboxDead) + `', '` + zeroStamp + `', ` + strconv.Itoa(inboxBatch) + `
local function later(a, b)
  if bless(a, b) then return b end
  return a
end
-- park files a pending entry in waiting, under the later of its lease and its
-- retry time.
local function park(id, lease, retry)
  local m = later(lease or ZERO, retry or ZERO) .. ':' .. id
  redis.call('ZADD', KEYS[3], 0, m)
  redis.call('HSET', E .. id, 'wait', m)
end
-- unpark takes a pending entry out of ready and waiting.
local function unpark(id, wait)
  if wait then redis.call('ZREM', KEYS[3], wait) end
  redis.call('ZREM', KEYS[2], id)
end
local function entry(id)
  local h = redis.call('HGETALL', E .. id)
  table.insert(h, 1, id)
  return h
end
-- append_entry stores a new entry, leased, and returns its id.
local function append_entry(body, received, owner, lease)
  local id = tostring(redis.call('INCR', KEYS[6]))
  local m = lease .. ':' .. id
  redis.call('HSET', E .. id, 'body', body, 'received', received, 'state', PENDING, 'attempts', 0,
    'owner', owner, 'lease_until', lease, 'wait', m)
  redis.call('ZADD', KEYS[1], id, id)
  redis.call('ZADD', KEYS[3], 0, m)
  return id
end
-- remove_entry deletes an entry wherever it is: from the sets its state puts it
-- in, or, with no state to go by, from all of them. An id in the old stream's form
-- is deleted from the stream too, should an older version have added it since the
-- migration.
local function remove_entry(id)
  local h = redis.call('HMGET', E .. id, 'state', 'wait')
  if h[1] == PENDING then
    redis.call('ZREM', KEYS[1], id)
    if h[2] then redis.call('ZREM', KEYS[3], h[2]) else redis.call('ZREM', KEYS[2], id) end
  elseif h[1] == DEAD then
    redis.call('ZREM', KEYS[4], id)
  else
    if h[2] then redis.call('ZREM', KEYS[3], h[2]) end
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[4], id)
  end
  if h[1] then redis.call('DEL', E .. id) end
  if string.match(id, '^%d+%-%d+$') then redis.pcall('XDEL', KEYS[5], id) end
end
`

// inboxAppendScript stores a new entry, leased, and returns its id.
//
// ARGV: entry prefix, body, received, owner, lease until.
var inboxAppendScript = redis.NewScript(luaInbox + `
return append_entry(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
`)

// inboxMigrateScript moves up to BATCH entries from the stream older versions kept
// into the layout above, oldest first, keeping their ids, and deletes the stream
// once it is empty. They come before every appended entry (sequence numbers below
// zero) and are free at once, as they were then. It returns 1 while the stream
// has entries left, else 0.
//
// ARGV: entry prefix.
var inboxMigrateScript = redis.NewScript(luaInbox + `
if redis.call('EXISTS', KEYS[5]) == 0 then return 0 end
for _, m in ipairs(redis.call('XRANGE', KEYS[5], '-', '+', 'COUNT', BATCH)) do
  local id, v = m[1], {}
  for i = 1, #m[2], 2 do v[m[2][i]] = m[2][i + 1] end
  local received, rs, rn = ZERO, tonumber(v.rs or ''), tonumber(v.rn or '')
  if rs and rn then received = string.format('%015d.%09d', rs + ` + strconv.FormatInt(-yearOne, 10) + `, rn) end
  local seq = redis.call('INCR', KEYS[7]) - 1000000000000
  redis.call('HSET', E .. id, 'body', v.body or '', 'received', received, 'state', PENDING, 'attempts', 0)
  redis.call('ZADD', KEYS[1], seq, id)
  redis.call('ZADD', KEYS[2], seq, id)
  redis.call('XDEL', KEYS[5], id)
end
if redis.call('XLEN', KEYS[5]) > 0 then return 1 end
redis.call('DEL', KEYS[5])
return 0
`)

// inboxClaimScript is store.Inbox.Claim for up to ARGV[5] entries. It first moves
// up to BATCH entries whose time has come from waiting to ready; when there may be
// more, it returns -2 without claiming, so that no older free entry is passed over
// and the caller calls again. It returns -1 while the old stream has entries (the
// caller migrates them first), else the claimed entries, oldest first.
//
// ARGV: entry prefix, owner, lease until, now, max.
var inboxClaimScript = redis.NewScript(luaInbox + `
if redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
local due = redis.call('ZRANGEBYLEX', KEYS[3], '-', '(' .. ARGV[4] .. ';', 'LIMIT', 0, BATCH)
for _, m in ipairs(due) do
  local id = string.match(m, '^[^:]*:(.*)$')
  redis.call('ZREM', KEYS[3], m)
  redis.call('HDEL', E .. id, 'wait')
  local seq = redis.call('ZSCORE', KEYS[1], id)
  if seq then redis.call('ZADD', KEYS[2], seq, id) end
end
if #due == BATCH then return -2 end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[5]) - 1)) do
  local h = redis.call('HMGET', E .. id, 'lease_until', 'retry_at')
  -- An entry another claimer found free is free here too, unless this claimer's
  -- clock is behind: then it waits for that clock.
  if not bless(ARGV[4], later(h[1] or ZERO, h[2] or ZERO)) then
    redis.call('ZREM', KEYS[2], id)
    redis.call('HSET', E .. id, 'owner', ARGV[2], 'lease_until', ARGV[3])
    park(id, ARGV[3], h[2])
    table.insert(out, entry(id))
  end
end
return out
`)

// inboxRenewScript is store.Inbox.Renew: it returns the ids the owner lost.
//
// ARGV: entry prefix, owner, lease until, then the ids.
var inboxRenewScript = redis.NewScript(luaInbox + `
local lost = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local h = redis.call('HMGET', E .. id, 'state', 'owner', 'retry_at', 'wait')
  if h[1] ~= PENDING or h[2] ~= ARGV[2] then
    table.insert(lost, id)
  else
    unpark(id, h[4])
    redis.call('HSET', E .. id, 'lease_until', ARGV[3])
    park(id, ARGV[3], h[3])
  end
end
return lost
`)

// inboxReleaseScript is store.Inbox.Release, as store.InboxEntry.ApplyRelease
// changes an entry: 0 when the owner does not hold it, else 1.
//
// ARGV: entry prefix, id, owner, failed ("1" or ""), reason, retry at ("" for
// none), dead ("1" or "").
var inboxReleaseScript = redis.NewScript(luaInbox + `
local id, k = ARGV[2], E .. ARGV[2]
local h = redis.call('HMGET', k, 'state', 'owner', 'wait')
if h[1] ~= PENDING or ARGV[3] == '' or h[2] ~= ARGV[3] then return 0 end
unpark(id, h[3])
redis.call('HDEL', k, 'owner', 'lease_until', 'wait', 'retry_at')
local retry = nil
if ARGV[6] ~= '' then
  retry = ARGV[6]
  redis.call('HSET', k, 'retry_at', retry)
end
if ARGV[4] == '1' then
  redis.call('HINCRBY', k, 'attempts', 1)
  redis.call('HSET', k, 'last_error', ARGV[5])
end
if ARGV[7] == '1' then
  local seq = redis.call('ZSCORE', KEYS[1], id) or redis.call('INCR', KEYS[6])
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[4], seq, id)
  redis.call('HSET', k, 'state', DEAD)
else
  park(id, nil, retry)
end
return 1
`)

// inboxDoneScript is store.Inbox.Done, and store.Intake.Complete for many ids.
//
// ARGV: entry prefix, ids.
var inboxDoneScript = redis.NewScript(luaInbox + `
for i = 2, #ARGV do remove_entry(ARGV[i]) end
return 1
`)

// admitScript is store.Intake.Admit: the dedupe keys, the window actions, when a
// key was new the inbox entry, and the removal of finished entries, in one script.
// It returns the id (empty when nothing was appended) followed by a 1 or 0 for each
// key.
//
// KEYS: the inbox keys (see luaInbox), then nk dedupe keys, then a window hash per
// action. ARGV: entry prefix, body, received, owner, lease until, now, expiry,
// ttl_ms (see luaDedupe), nk, nd, then per action: kind, at_s, at_n, keep_s,
// keep_n, ttl_ms; then nd ids of finished entries.
var admitScript = redis.NewScript(luaInbox + luaDedupe + luaWindow + `
local nk, nd = tonumber(ARGV[9]), tonumber(ARGV[10])
local out, any = {''}, false
for i = 1, nk do
  local n = first_seen(KEYS[7 + i], ARGV[6], ARGV[7], ARGV[8])
  out[i + 1] = n
  any = any or n == 1
end
local a = 11
for i = 8 + nk, #KEYS do
  record_action(KEYS[i], ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
  a = a + 6
end
if any then out[1] = append_entry(ARGV[2], ARGV[3], ARGV[4], ARGV[5]) end
for i = #ARGV - nd + 1, #ARGV do remove_entry(ARGV[i]) end
return out
`)

// inboxRedriveScript is store.Inbox.Redrive, as store.InboxEntry.ApplyRedrive
// changes an entry: 0 when id is not a dead entry, else 1.
//
// ARGV: entry prefix, id.
var inboxRedriveScript = redis.NewScript(luaInbox + `
local id, k = ARGV[2], E .. ARGV[2]
if redis.call('HGET', k, 'state') ~= DEAD then return 0 end
local seq = redis.call('ZSCORE', KEYS[4], id) or redis.call('INCR', KEYS[6])
redis.call('ZREM', KEYS[4], id)
redis.call('HSET', k, 'state', PENDING, 'attempts', 0)
redis.call('HDEL', k, 'last_error', 'retry_at', 'owner', 'lease_until', 'wait')
redis.call('ZADD', KEYS[1], seq, id)
redis.call('ZADD', KEYS[2], seq, id)
return 1
`)

// inboxListScript returns up to BATCH entries of one state after a score, in
// order: the last score listed, then the entries.
//
// ARGV: entry prefix, 1 (pending) or 4 (dead), the lowest score ("-inf" or
// "(<score>").
var inboxListScript = redis.NewScript(luaInbox + `
local ids = redis.call('ZRANGEBYSCORE', KEYS[tonumber(ARGV[2])], ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, BATCH)
local out = {''}
for i = 1, #ids, 2 do
  table.insert(out, entry(ids[i]))
  out[1] = ids[i + 1]
end
return out
`)
