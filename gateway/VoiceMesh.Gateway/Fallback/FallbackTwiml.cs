using Microsoft.Extensions.Options;
using Twilio.TwiML;
using TwilioHttpMethod = Twilio.Http.HttpMethod;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>
/// The TwiML a caller gets when Calls cannot answer: the apology, then a forward to the configured number or a
/// voicemail (archived by Recordings through the recording status callback), then a hang-up. A voicemail's action
/// is the fallback route, which answers it with the hang-up alone, so nothing after it needs Calls either.
/// </summary>
internal sealed class FallbackTwiml(IOptions<TwimlFallbackOptions> options, IOptions<GatewayOptions> gateway)
{
    public const string ContentType = "application/xml";

    public const string Path = "/twilio/voice/fallback";

    private readonly string _fallback = Render(options.Value, gateway.Value.PublicBaseUrl.TrimEnd('/'));

    private static readonly string HangUp = new VoiceResponse().Hangup().ToString();

    /// <summary>The apology and what follows it.</summary>
    public IResult Apology() => Results.Text(_fallback, ContentType);

    /// <summary>The end of a fallback voicemail: Twilio requests the Record's action once the message is recorded.</summary>
    public static IResult AfterVoicemail() => Results.Text(HangUp, ContentType);

    private static string Render(TwimlFallbackOptions options, string publicBaseUrl)
    {
        var response = new VoiceResponse().Say(options.Message);
        if (options.ForwardTo is { } number)
        {
            response.Dial(number);
        }
        else
        {
            response.Say(options.VoicemailPrompt);
            response.Record(
                action: new Uri(publicBaseUrl + Path),
                method: TwilioHttpMethod.Post,
                maxLength: options.VoicemailMaxLengthSeconds,
                playBeep: true,
                recordingStatusCallback: new Uri(publicBaseUrl + "/twilio/recording/status"),
                recordingStatusCallbackMethod: TwilioHttpMethod.Post);
        }

        return response.Hangup().ToString();
    }
}
