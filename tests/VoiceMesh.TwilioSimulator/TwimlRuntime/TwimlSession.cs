using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Queues;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary>An inbound call's TwiML execution. Use only under the TWiML engine's lock.</summary>
internal sealed class TwimlSession
{
    public required SimCall Call { get; init; }

    public required Queue<CallerInput> Input { get; init; }

    /// <summary>Seconds the caller speaks into a <c>&lt;Record&gt;</c>.</summary>
    public required int RecordSeconds { get; init; }

    /// <summary>The number's <c>VoiceFallbackUrl</c>, requested with POST (numbers have no fallback method here).</summary>
    public string? FallbackUrl { get; init; }

    public bool FallbackUsed { get; set; }

    public List<VerbLog> Log { get; } = [];

    public int? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>URL of the last document run: the base for relative URLs in TwiML given inline by a Calls update.</summary>
    public string LastUrl { get; set; } = "";

    /// <summary>Bumped whenever control leaves the running document from outside (REST, a bridge, a hang-up), so
    /// timers and fetches started before are dropped.</summary>
    public int Epoch { get; set; }

    public bool Answered { get; set; }

    public bool Ended { get; set; }

    /// <summary>Set while the call waits in (or is bridged out of) a queue.</summary>
    public QueueMember? Member { get; set; }

    public DialState? Dial { get; set; }

    public RecordState? Recording { get; set; }
}

/// <summary>A TwiML document being run. <see cref="WaitFor"/> is set for an <c>&lt;Enqueue waitUrl&gt;</c> document.</summary>
internal sealed record TwimlDocument(string Url, IReadOnlyList<XElement> Verbs, QueueMember? WaitFor, DateTimeOffset StartedAt);

/// <summary>Where a document continues when a verb without <c>action</c> is done.</summary>
internal sealed record Resume(TwimlDocument Document, int Index);

/// <summary>One log line; <see cref="Outcome"/> is filled in when the verb ends.</summary>
internal sealed class VerbLog
{
    public required DateTimeOffset Time { get; init; }

    public required string DocumentUrl { get; init; }

    public required string Verb { get; init; }

    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    public string? Text { get; set; }

    public string? Outcome { get; set; }

    public TwimlVerbEntry ToEntry() => new(Time, DocumentUrl, Verb, Attributes, Text, Outcome);
}

/// <summary>A call in a queue: what <c>&lt;Enqueue&gt;</c> asked for and where to continue.</summary>
internal sealed class QueueMember
{
    public required TwimlSession Session { get; init; }

    public required SimQueue Queue { get; init; }

    public required DateTimeOffset EnqueuedAt { get; init; }

    public string? Action { get; init; }

    public string Method { get; init; } = "POST";

    public string? WaitUrl { get; init; }

    public string WaitMethod { get; init; } = "POST";

    public required Resume After { get; init; }

    public required VerbLog Entry { get; init; }

    /// <summary>Set once <c>&lt;Dial&gt;&lt;Queue&gt;</c> took the call out of the queue.</summary>
    public Bridge? Bridge { get; set; }
}

/// <summary>A <c>&lt;Dial&gt;</c> in progress.</summary>
internal sealed class DialState
{
    public required VerbLog Entry { get; init; }

    public string? Action { get; init; }

    public string Method { get; init; } = "POST";

    public required Resume After { get; init; }

    public required string DialCallSid { get; set; }

    public bool Record { get; init; }

    public required TimeSpan TimeLimit { get; init; }

    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>The queue an empty-queue <c>&lt;Dial&gt;&lt;Queue&gt;</c> waits on.</summary>
    public SimQueue? WaitingOn { get; set; }

    public Bridge? Bridge { get; set; }
}

/// <summary>A dialler bridged with the queue member it took.</summary>
internal sealed class Bridge
{
    public required TwimlSession Dialer { get; init; }

    public required QueueMember Member { get; init; }

    public required DateTimeOffset Start { get; init; }

    public bool Ended { get; set; }
}

/// <summary>A <c>&lt;Record&gt;</c> in progress.</summary>
internal sealed class RecordState
{
    public required VerbLog Entry { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required int MaxSeconds { get; init; }

    public required string Action { get; init; }

    public string Method { get; init; } = "POST";

    public string? Callback { get; init; }

    public string CallbackMethod { get; init; } = "POST";
}
