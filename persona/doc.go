// Package persona lets a bot speak as several identities on one Page: the Personas
// API (create, get, list, delete; docs/platform.md, “Personas”) and a cache by name.
//
// A persona gives messages its own name and picture while the thread header keeps
// the Page's name, which is how a hand-over from a bot to a named human agent, or
// between departments, becomes visible to the person. Create personas once and reuse
// their ids: [Client.Ensure] returns the persona with a name, creating it only when
// the Page has none, and concurrent calls never create duplicates.
//
//	personas, err := persona.New(client)
//	anna, err := personas.Ensure(ctx, "Anna", "https://example.com/anna.jpg")
//	personas.TypingOn(ctx, anna.ID, messenger.PSID(psid))
//	personas.SendText(ctx, anna.ID, messenger.PSID(psid), "Hi, I'm Anna from support.")
//	// a human agent's answer after the 24-hour window:
//	personas.SendTextAs(ctx, anna.ID, messenger.PSID(psid), messenger.Tagged(tags.HumanAgent), "Sorry for the wait.")
//
// Only typing_on and typing_off may be sent as a persona; names are at most 50
// characters and the picture at most 8 MB, downloaded by Meta from its URL.
package persona
