using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>Who answered, by Twilio's answering-machine detection.</summary>
public enum AnsweredBy
{
    Human,
    MachineStart,
    MachineEndBeep,
    MachineEndSilence,
    MachineEndOther,
    Fax,
    Unknown,
}

/// <summary>The one conversion between <see cref="AnsweredBy"/> and Twilio's <c>AnsweredBy</c> wire strings.</summary>
public static class AnsweredByWire
{
    public static string ToWire(this AnsweredBy answeredBy) => answeredBy switch
    {
        AnsweredBy.Human => "human",
        AnsweredBy.MachineStart => "machine_start",
        AnsweredBy.MachineEndBeep => "machine_end_beep",
        AnsweredBy.MachineEndSilence => "machine_end_silence",
        AnsweredBy.MachineEndOther => "machine_end_other",
        AnsweredBy.Fax => "fax",
        AnsweredBy.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(answeredBy), answeredBy, null),
    };

    /// <summary>Twilio's value, null when absent; a value Twilio may add later counts as <see cref="AnsweredBy.Unknown"/>.</summary>
    public static AnsweredBy? Parse(string? wire)
    {
        if (string.IsNullOrEmpty(wire))
        {
            return null;
        }

        return WireValues.TryParse<AnsweredBy>(wire, ToWire, out var answeredBy) ? answeredBy : AnsweredBy.Unknown;
    }

    public static bool IsMachine(this AnsweredBy answeredBy) =>
        answeredBy is AnsweredBy.MachineStart or AnsweredBy.MachineEndBeep or AnsweredBy.MachineEndSilence or AnsweredBy.MachineEndOther;
}
