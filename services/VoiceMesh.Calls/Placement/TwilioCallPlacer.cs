using System.Diagnostics;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>Creates and looks up calls at Twilio through the official SDK.</summary>
public sealed class TwilioCallPlacer(ITwilioRestClient client, Microsoft.Extensions.Options.IOptions<CallsOptions> options)
{
    private static readonly List<string> AllProgressEvents = ["initiated", "ringing", "answered", "completed"];

    /// <summary>Asks Twilio to create the call and returns its sid.</summary>
    public async Task<string> Create(PlacementRequested request, CancellationToken cancellationToken)
    {
        var callbackBase = options.Value.PublicBaseUrl.TrimEnd('/');
        var statusCallback = new Uri($"{callbackBase}/twilio/voice/status?requestId={Uri.EscapeDataString(request.RequestId)}{TraceQuery()}");
        var create = new CreateCallOptions(new PhoneNumber(request.To), new PhoneNumber(request.From))
        {
            StatusCallback = statusCallback,
            StatusCallbackEvent = AllProgressEvents,
            StatusCallbackMethod = Twilio.Http.HttpMethod.Post,
            Timeout = request.TimeoutSeconds,
            Record = request.Record,
        };
        if (request.Record)
        {
            create.RecordingStatusCallback = $"{callbackBase}/twilio/recording/status";
            create.RecordingStatusCallbackMethod = Twilio.Http.HttpMethod.Post;
        }

        if (request.Twiml is not null)
        {
            create.Twiml = new Twiml(request.Twiml);
        }
        else
        {
            create.Url = new Uri(request.Url ?? options.Value.Flows[request.Flow!]);
        }

        if (request.MachineDetection is not null)
        {
            create.MachineDetection = request.MachineDetection;
            if (request.AsyncAmd)
            {
                create.AsyncAmd = "true";
                create.AsyncAmdStatusCallback = new Uri($"{callbackBase}/twilio/voice/amd?requestId={Uri.EscapeDataString(request.RequestId)}{TraceQuery()}");
                create.AsyncAmdStatusCallbackMethod = Twilio.Http.HttpMethod.Post;
            }
        }

        var call = await CallResource.CreateAsync(create, client);
        cancellationToken.ThrowIfCancellationRequested();
        return call.Sid;
    }

    /// <summary>
    /// The placement's W3C trace context as a callback query parameter (<c>&amp;traceparent=00-...</c>), so the
    /// gateway continues this trace for Twilio's callbacks of the call (Twilio sends no <c>traceparent</c> header and
    /// signs the URL with its query); empty outside a trace.
    /// </summary>
    private static string TraceQuery() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent } ? "&traceparent=" + traceParent : "";

    /// <summary>
    /// Finds a call Twilio created for this request's To and From since <paramref name="since"/>, other than
    /// <paramref name="claimed"/> ones: the outcome of an attempt whose response never arrived.
    /// </summary>
    public Task<string?> FindCreatedSince(
        PlacementRequested request, DateTimeOffset since, IReadOnlySet<string> claimed, CancellationToken cancellationToken) =>
        CreateAttempts.FindCallCreatedSince(client, request.To, request.From, since, claimed, cancellationToken);
}
