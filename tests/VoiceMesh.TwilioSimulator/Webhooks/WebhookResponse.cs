namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>What the last attempt of a webhook got back: the status and body, or the error when there was no response.</summary>
internal sealed record WebhookResponse(int? Status, string? Error, string? ContentType, string? Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}
