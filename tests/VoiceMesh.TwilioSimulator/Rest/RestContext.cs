namespace VoiceMesh.TwilioSimulator.Rest;

internal static class RestContext
{
    /// <summary>The account <see cref="RestMiddleware"/> authenticated for this request.</summary>
    public static (string AccountSid, string AuthToken) Account(HttpContext context) =>
        ((string)context.Items[RestMiddleware.AccountSidItem]!, (string)context.Items[RestMiddleware.AuthTokenItem]!);
}
