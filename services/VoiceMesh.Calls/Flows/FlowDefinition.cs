using System.Text.Json.Serialization;

namespace VoiceMesh.Calls.Flows;

/// <summary>
/// A call flow: named steps and the one a call starts at. Stored as the JSON it was saved with; every save is a new,
/// immutable version, and a call keeps the version it started with.
/// </summary>
public sealed record FlowDefinition
{
    /// <summary>The step an incoming call starts at.</summary>
    public required string Start { get; init; }

    public required IReadOnlyDictionary<string, FlowStep> Steps { get; init; }
}

/// <summary>One step of a flow. <c>type</c> names the kind; steps that continue name the step after them.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(SayStep), "say")]
[JsonDerivedType(typeof(PlayStep), "play")]
[JsonDerivedType(typeof(PauseStep), "pause")]
[JsonDerivedType(typeof(MenuStep), "menu")]
[JsonDerivedType(typeof(QueueStep), "queue")]
[JsonDerivedType(typeof(ForwardStep), "forward")]
[JsonDerivedType(typeof(ConferenceStep), "conference")]
[JsonDerivedType(typeof(VoicemailStep), "voicemail")]
[JsonDerivedType(typeof(BusinessHoursStep), "hours")]
[JsonDerivedType(typeof(HangUpStep), "hangup")]
public abstract record FlowStep
{
    /// <summary>The step's kind, as <c>type</c> says it.</summary>
    [JsonIgnore]
    public FlowStepType Type => this switch
    {
        SayStep => FlowStepType.Say,
        PlayStep => FlowStepType.Play,
        PauseStep => FlowStepType.Pause,
        MenuStep => FlowStepType.Menu,
        QueueStep => FlowStepType.Queue,
        ForwardStep => FlowStepType.Forward,
        ConferenceStep => FlowStepType.Conference,
        VoicemailStep => FlowStepType.Voicemail,
        BusinessHoursStep => FlowStepType.Hours,
        HangUpStep => FlowStepType.HangUp,
        _ => throw new InvalidOperationException($"{GetType().Name} is not a flow step kind."),
    };

    /// <summary>Whether the step waits for the caller (keys, speech or a message), which is what breaks a loop.</summary>
    [JsonIgnore]
    public bool TakesInput => Type is FlowStepType.Menu or FlowStepType.Voicemail;

    /// <summary>The steps this one can lead to, with the field that names each.</summary>
    public abstract IEnumerable<(string Field, string? Step)> Exits();
}

public enum FlowStepType
{
    Say,
    Play,
    Pause,
    Menu,
    Queue,
    Forward,
    Conference,
    Voicemail,
    Hours,
    HangUp,
}

/// <summary>The one conversion of <see cref="FlowStepType"/> to the <c>type</c> strings of the JSON.</summary>
public static class FlowStepTypeWire
{
    public static string ToWire(this FlowStepType type) => type switch
    {
        FlowStepType.Say => "say",
        FlowStepType.Play => "play",
        FlowStepType.Pause => "pause",
        FlowStepType.Menu => "menu",
        FlowStepType.Queue => "queue",
        FlowStepType.Forward => "forward",
        FlowStepType.Conference => "conference",
        FlowStepType.Voicemail => "voicemail",
        FlowStepType.Hours => "hours",
        FlowStepType.HangUp => "hangup",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

/// <summary>Speaks <see cref="Text"/> (Twilio's <c>&lt;Say&gt;</c>), then goes on to <see cref="Next"/>.</summary>
public sealed record SayStep : FlowStep
{
    public required string Text { get; init; }
    public string? Voice { get; init; }
    public string? Language { get; init; }
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("next", Next)];
}

/// <summary>Plays an audio file (<c>&lt;Play&gt;</c>), then goes on to <see cref="Next"/>.</summary>
public sealed record PlayStep : FlowStep
{
    public required string Url { get; init; }
    public int Loop { get; init; } = 1;
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("next", Next)];
}

/// <summary>Silence for <see cref="Seconds"/> (<c>&lt;Pause&gt;</c>), then <see cref="Next"/>.</summary>
public sealed record PauseStep : FlowStep
{
    public int Seconds { get; init; } = 1;
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("next", Next)];
}

/// <summary>
/// Asks the caller to choose (<c>&lt;Gather&gt;</c> of keys and/or speech). A key or phrase picks an option; no input,
/// an unknown choice or speech below <see cref="MinConfidence"/> replays <see cref="InvalidPrompt"/> and the menu up to
/// <see cref="Retries"/> times, then goes to <see cref="NoInput"/>.
/// </summary>
public sealed record MenuStep : FlowStep
{
    public required string Prompt { get; init; }
    public IReadOnlyList<MenuInput> Input { get; init; } = [MenuInput.Dtmf];
    public IReadOnlyList<MenuOption> Options { get; init; } = [];
    public int TimeoutSeconds { get; init; } = 5;
    public int? NumDigits { get; init; }
    public int Retries { get; init; } = 2;
    public string? InvalidPrompt { get; init; }
    public double MinConfidence { get; init; } = 0.5;
    public string? Voice { get; init; }
    public string? Language { get; init; }
    public required string NoInput { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() =>
        Options.Select((o, i) => ($"options[{i}].next", (string?)o.Next)).Append(("noInput", NoInput));
}

[JsonConverter(typeof(JsonStringEnumConverter<MenuInput>))]
public enum MenuInput
{
    Dtmf,
    Speech,
}

/// <summary>A menu choice: the keys that pick it and/or phrases the caller may say.</summary>
public sealed record MenuOption
{
    public string? Digits { get; init; }
    public IReadOnlyList<string> Speech { get; init; } = [];
    public required string Next { get; init; }
}

/// <summary>
/// Puts the caller in a named queue (<c>&lt;Enqueue&gt;</c>) with wait music and announcements of position and
/// estimated wait. A caller waiting longer than <see cref="MaxWaitSeconds"/>, or turned away by a full queue, goes to
/// <see cref="Overflow"/>; one bridged to an agent goes on to <see cref="Next"/> when that call ends (hang-up without).
/// </summary>
public sealed record QueueStep : FlowStep
{
    public required string Queue { get; init; }
    public string? WaitMusicUrl { get; init; }
    public bool AnnouncePosition { get; init; } = true;
    public bool AnnounceWait { get; init; } = true;
    public int MaxWaitSeconds { get; init; } = 600;
    public string? Voice { get; init; }
    public required string Overflow { get; init; }
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("overflow", Overflow), ("next", Next)];
}

/// <summary>
/// Rings a number, SIP URI or client (<c>&lt;Dial&gt;</c>). Unanswered (busy, no answer, failed) goes to
/// <see cref="NoAnswer"/>; answered goes on to <see cref="Next"/> after the conversation (hang-up without).
/// </summary>
public sealed record ForwardStep : FlowStep
{
    public required string To { get; init; }
    public string? CallerId { get; init; }
    public int TimeoutSeconds { get; init; } = 30;
    public required string NoAnswer { get; init; }
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("noAnswer", NoAnswer), ("next", Next)];
}

/// <summary>Joins a named conference room (<c>&lt;Dial&gt;&lt;Conference&gt;</c>), then <see cref="Next"/>.</summary>
public sealed record ConferenceStep : FlowStep
{
    public required string Room { get; init; }
    public bool Muted { get; init; }
    public bool StartOnEnter { get; init; } = true;
    public bool EndOnExit { get; init; }
    public int? MaxParticipants { get; init; }
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("next", Next)];
}

/// <summary>
/// Takes a message (<c>&lt;Record&gt;</c>) after <see cref="Prompt"/>; the recording is reported to the recordings
/// pipeline. Then <see cref="Next"/> (hang-up without).
/// </summary>
public sealed record VoicemailStep : FlowStep
{
    public string? Prompt { get; init; }
    public int MaxLengthSeconds { get; init; } = 120;
    public string FinishOnKey { get; init; } = "#";
    public string? Voice { get; init; }
    public string? Next { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("next", Next)];
}

/// <summary>
/// Branches on the time of the call in <see cref="TimeZone"/>: within a weekly opening window and not on a holiday
/// goes to <see cref="Open"/>, otherwise <see cref="Closed"/>.
/// </summary>
public sealed record BusinessHoursStep : FlowStep
{
    public required string TimeZone { get; init; }

    /// <summary>Opening windows per day (<c>monday</c> … <c>sunday</c>), <c>HH:mm</c> local time; a day left out is closed.</summary>
    public IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningWindow>> Weekly { get; init; } =
        new Dictionary<DayOfWeek, IReadOnlyList<OpeningWindow>>();

    /// <summary>Dates (local) closed all day.</summary>
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];

    public required string Open { get; init; }
    public required string Closed { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [("open", Open), ("closed", Closed)];

    /// <summary>Whether <paramref name="now"/> falls in an opening window of its local day.</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        var local = System.TimeZoneInfo.ConvertTime(now, System.TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
        var date = DateOnly.FromDateTime(local.DateTime);
        if (Holidays.Contains(date) || !Weekly.TryGetValue(local.DayOfWeek, out var windows))
        {
            return false;
        }

        var time = TimeOnly.FromDateTime(local.DateTime);
        return windows.Any(w => time >= w.Open && time < w.Close);
    }
}

/// <summary>Open from <see cref="Open"/> until (not including) <see cref="Close"/>.</summary>
public sealed record OpeningWindow(TimeOnly Open, TimeOnly Close);

/// <summary>Ends the call (<c>&lt;Hangup&gt;</c>).</summary>
public sealed record HangUpStep : FlowStep
{
    public string? Say { get; init; }


    public override IEnumerable<(string Field, string? Step)> Exits() => [];
}
