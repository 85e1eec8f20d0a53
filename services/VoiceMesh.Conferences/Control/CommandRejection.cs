using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>Why a decision refused a command; nothing was stored.</summary>
public sealed record CommandRejection(ConferenceRejection Rejection, string Field, string Reason)
{
    public static CommandRejection Invalid((string Field, string Reason) violation) => new(ConferenceRejection.Invalid, violation.Field, violation.Reason);

    public static CommandRejection UnknownConference(string conference, string field = "ConferenceSid") =>
        new(ConferenceRejection.UnknownConference, field, $"No conference or room {conference} is known.");

    public static CommandRejection Ended(string conference, string field = "ConferenceSid") =>
        new(ConferenceRejection.ConferenceEnded, field, $"Conference {conference} has ended; nothing can change it.");

    public static CommandRejection UnknownParticipant(string conference, string callSid) =>
        new(ConferenceRejection.UnknownParticipant, "CallSid", $"Call {callSid} is not a participant in conference {conference} now.");

    /// <summary>The command's fault event, published to whoever sent it.</summary>
    public ConferenceCommandRejected ToFault(string command, string requestId, string conference, DateTimeOffset at) => new()
    {
        Command = command,
        RequestId = requestId,
        Conference = conference,
        Rejection = Rejection,
        Field = Field,
        Reason = Reason,
        OccurredAt = at,
    };
}

/// <summary>A decision's outcome: what to store, or why nothing is.</summary>
public sealed record Verdict(ServiceDefaults.Decision Decision, CommandRejection? Rejection)
{
    public static Verdict Accept(params object[] events) => new(events, null);

    public static Verdict Nothing { get; } = new(ServiceDefaults.Decision.None, null);

    public static Verdict Reject(CommandRejection rejection) => new(ServiceDefaults.Decision.None, rejection);
}

/// <summary>The HTTP answers for rejections: problem+json naming the field and the reason.</summary>
internal static class ControlProblems
{
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static IResult Of(CommandRejection rejection) => rejection.Rejection switch
    {
        ConferenceRejection.Invalid => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [rejection.Field] = [rejection.Reason] }),
        ConferenceRejection.UnknownConference => Problem(StatusCodes.Status404NotFound, "Conference not found", rejection),
        ConferenceRejection.UnknownParticipant => Problem(StatusCodes.Status404NotFound, "Participant not found", rejection),
        ConferenceRejection.ConferenceEnded => Problem(StatusCodes.Status409Conflict, "Conference has ended", rejection),
        ConferenceRejection.ConferenceFull => Problem(StatusCodes.Status409Conflict, "Conference is full", rejection),
        ConferenceRejection.ConferenceExists => Problem(StatusCodes.Status409Conflict, "Conference exists", rejection),
        ConferenceRejection.CallerIdUnavailable => Problem(StatusCodes.Status409Conflict, "No caller id available", rejection),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection.Rejection, null),
    };

    private static ProblemHttpResult Problem(int status, string title, CommandRejection rejection) =>
        TypedResults.Problem(statusCode: status, title: title, detail: rejection.Reason,
            extensions: new Dictionary<string, object?> { ["field"] = rejection.Field, ["reason"] = rejection.Rejection.ToString() });
}

/// <summary>Publishes a command's rejection for the sender, the bus's counterpart of an HTTP 4xx.</summary>
internal static class Rejections
{
    public static Task Publish(this ConsumeContext context, CommandRejection rejection, string command, string requestId, string conference, TimeProvider clock) =>
        context.Publish(rejection.ToFault(command, requestId, conference, clock.GetUtcNow()));
}
