using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.MachineDetection;

/// <summary>What a PlaceCall asks for when a machine answers (its <c>OnMachine</c>).</summary>
public enum MachineAction
{
    /// <summary>Nothing: the call's own instructions go on.</summary>
    Continue,

    /// <summary>End the call.</summary>
    HangUp,

    /// <summary>Play the PlaceCall's <c>MachineMessageTwiml</c> (after the beep, with <c>DetectMessageEnd</c>).</summary>
    Message,
}

/// <summary>The one conversion between <see cref="MachineAction"/> and PlaceCall's <c>OnMachine</c> strings.</summary>
public static class MachineActionWire
{
    public static string ToWire(this MachineAction action) => action switch
    {
        MachineAction.Continue => "continue",
        MachineAction.HangUp => "hangup",
        MachineAction.Message => "message",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string? wire, out MachineAction action) => WireValues.TryParse(wire, ToWire, out action);
}
