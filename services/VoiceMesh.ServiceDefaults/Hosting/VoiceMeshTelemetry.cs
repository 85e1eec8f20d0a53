namespace VoiceMesh.ServiceDefaults;

/// <summary>The Meter (and ActivitySource) name VoiceMesh's own instrumentation uses.</summary>
public static class VoiceMeshTelemetry
{
    public const string Name = "VoiceMesh";
}
