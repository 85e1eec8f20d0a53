namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>Twilio's REST error body (REFERENCE §6.3).</summary>
internal sealed record TwilioError(int Code, string Message, string MoreInfo, int Status)
{
    public static TwilioError Of(int code, int status, string message) =>
        new(code, message, $"https://www.twilio.com/docs/errors/{code}", status);

    public IResult ToResult() => Results.Json(this, TwilioFormat.Json, statusCode: Status);

    public static TwilioError AuthenticationFailed() => Of(20003, 401, "Authenticate");

    public static TwilioError NotFound(string path) => Of(20404, 404, $"The requested resource {path} was not found");

    public static TwilioError TooManyRequests() => Of(20429, 429, "Too Many Requests");

    public static TwilioError InvalidCallState(string sid) =>
        Of(21220, 400, $"Call {sid} is not in-progress. Cannot redirect or end.");
}
