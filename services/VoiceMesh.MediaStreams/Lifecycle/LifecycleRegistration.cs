namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>The stream read model: <c>GET /api/media-streams/{streamSid}</c> and what this instance holds open (<c>/live</c>).</summary>
internal static class LifecycleRegistration
{
    public static RouteGroupBuilder MapMediaStreamLifecycle(this RouteGroupBuilder streams) => streams.MapMediaStreamEndpoints();
}
