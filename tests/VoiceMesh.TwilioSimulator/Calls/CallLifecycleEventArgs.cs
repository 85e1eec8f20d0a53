namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>A call that was answered or ended, and when (simulator time).</summary>
internal sealed class CallLifecycleEventArgs(SimCall call, DateTimeOffset at) : EventArgs
{
    public SimCall Call { get; } = call;

    public DateTimeOffset At { get; } = at;
}
