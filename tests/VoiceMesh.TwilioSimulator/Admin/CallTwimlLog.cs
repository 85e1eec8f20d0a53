namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>What an inbound call's TwiML did (<c>GET /_sim/calls/{callSid}/twiml</c>).</summary>
public sealed record CallTwimlLog(
    string CallSid, string Status, int? ErrorCode, string? ErrorMessage, IReadOnlyList<TwimlVerbEntry> Verbs);

/// <summary>
/// One executed verb: when it started (simulator time), the document it came from, its attributes and text (the
/// Say text, Play URL, Redirect URL, Dial number or queue name…) and how it ended, e.g. <c>completed</c>,
/// <c>digits 1</c>, <c>speech sales please</c>, <c>no-input</c>, <c>queue-full</c>, <c>leave</c>, <c>bridged</c>,
/// <c>redirected</c>, <c>hangup</c>, <c>busy</c>, <c>recorded 3</c>, <c>empty</c>, <c>not-simulated</c>; null while
/// it is still running.
/// </summary>
public sealed record TwimlVerbEntry(
    DateTimeOffset Time, string DocumentUrl, string Verb, IReadOnlyDictionary<string, string> Attributes, string? Text, string? Outcome);
