namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Specs that measure real-time media against the clock (frame pacing, speech boundaries, a clear within a frame):
/// they run on their own, after the others, so another spec class loading the 2 shared cores does not stand in for the
/// service's latency.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeMedia
{
    public const string Name = "real-time media";
}
