using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>The body of <c>POST /api/media-streams/{streamSid}/play</c>: a tone or a file, and whether speech interrupts it.</summary>
public sealed record PlayRequest(string? ClipId, double? ToneHz, int? ToneMs, string? File, bool BargeIn);

internal static class PlaybackEndpoints
{
    public static RouteGroupBuilder MapPlaybackEndpoints(this RouteGroupBuilder streams)
    {
        streams.MapPost("/{streamSid}/play", Play);
        streams.MapPost("/{streamSid}/stop", Stop);
        return streams;
    }

    private static Results<Accepted, ValidationProblem, ProblemHttpResult> Play(string streamSid, PlayRequest request, PlaybackCommands playback)
    {
        if (!StreamSids.IsValid(streamSid))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["streamSid"] = [StreamSids.Description] });
        }

        var (outcome, problem) = playback.Play(streamSid, request.ClipId, request.ToneHz, request.ToneMs, request.File, request.BargeIn);
        return outcome switch
        {
            PlaybackOutcome.Accepted => TypedResults.Accepted((string?)null),
            PlaybackOutcome.Invalid => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["clip"] = [problem!] }),
            PlaybackOutcome.QueueFull => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Playback queue full", detail: "32 clips are queued on this stream."),
            _ => NotHere(streamSid),
        };
    }

    private static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> Stop(string streamSid, PlaybackCommands playback)
    {
        if (!StreamSids.IsValid(streamSid))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["streamSid"] = [StreamSids.Description] });
        }

        return await playback.Stop(streamSid) == PlaybackOutcome.Accepted ? TypedResults.Accepted((string?)null) : NotHere(streamSid);
    }

    private static ProblemHttpResult NotHere(string streamSid) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Stream not open here", detail: $"No open media stream {streamSid} is held by this instance.");
}
