using System.Globalization;
using Twilio.TwiML;
using Twilio.TwiML.Voice;
using Twilio.Types;
using TwilioHttpMethod = Twilio.Http.HttpMethod;

namespace VoiceMesh.Calls.Flows;

/// <summary>The actions Twilio comes back to a step with; each is a path segment of the step's URL.</summary>
public enum FlowAction
{
    /// <summary>Run the step from its start.</summary>
    Enter,

    /// <summary>A menu's <c>&lt;Gather&gt;</c> result, or its no-input fall-through.</summary>
    Gather,

    /// <summary>A forward's or conference's <c>&lt;Dial&gt;</c> ended.</summary>
    Dial,

    /// <summary>A queue's wait URL: the caller is waiting.</summary>
    Wait,

    /// <summary>A queue's <c>&lt;Enqueue&gt;</c> ended.</summary>
    Queue,

    /// <summary>A voicemail's <c>&lt;Record&gt;</c> ended, or its empty-recording fall-through.</summary>
    Record,
}

/// <summary>A TwiML document and the steps it enters, in order.</summary>
public sealed record FlowDocument(VoiceResponse Twiml, IReadOnlyList<(string Step, FlowStepType Type, string? Branch)> Entered);

/// <summary>
/// Turns a flow, from a step on, into one TwiML document, built with the Twilio SDK's TwiML classes: steps that need
/// no answer from the caller or Twilio (say, play, pause, business hours) run on into the next; a step that waits
/// (menu, queue, forward, conference, voicemail) ends the document with its verb, whose action URL names the flow
/// version and step, so Twilio's next request continues exactly there even after the flow is edited.
/// </summary>
public static class FlowRenderer
{
    public const string BasePath = "/twilio/voice/flow";

    /// <summary>Where Twilio reports a voicemail's recording, so the Recordings service archives it like any other.</summary>
    public const string RecordingStatusPath = "/twilio/recording/status";

    public static string Url(LoadedFlow flow, string step, FlowAction action, int? attempt = null) =>
        $"{BasePath}/{flow.FlowId}/{flow.Version.ToString(CultureInfo.InvariantCulture)}/{step}/{action.ToString().ToLowerInvariant()}"
        + (attempt is { } a ? $"?attempt={a.ToString(CultureInfo.InvariantCulture)}" : "");

    /// <summary>The document that runs the flow from <paramref name="step"/>, after any <paramref name="preface"/> words.</summary>
    public static FlowDocument Render(LoadedFlow flow, string? step, DateTimeOffset now, int attempt = 0, string? preface = null, string? branch = null)
    {
        var response = new VoiceResponse();
        var entered = new List<(string, FlowStepType, string?)>();
        if (preface is not null)
        {
            var menu = step is null ? null : flow.Definition.Steps.GetValueOrDefault(step) as MenuStep;
            response.Say(preface, voice: Voice(menu?.Voice), language: Language(menu?.Language));
        }

        for (var current = step; ;)
        {
            if (current is null || entered.Count > FlowValidator.MaxSteps || !flow.Definition.Steps.TryGetValue(current, out var definition))
            {
                response.Hangup();
                return new FlowDocument(response, entered);
            }

            switch (definition)
            {
                case SayStep say:
                    entered.Add((current, say.Type, null));
                    response.Say(say.Text, voice: Voice(say.Voice), language: Language(say.Language));
                    current = say.Next;
                    break;
                case PlayStep play:
                    entered.Add((current, play.Type, null));
                    response.Play(new Uri(play.Url), loop: play.Loop);
                    current = play.Next;
                    break;
                case PauseStep pause:
                    entered.Add((current, pause.Type, null));
                    response.Pause(length: pause.Seconds);
                    current = pause.Next;
                    break;
                case BusinessHoursStep hours:
                    var open = hours.IsOpen(now);
                    entered.Add((current, hours.Type, open ? "open" : "closed"));
                    current = open ? hours.Open : hours.Closed;
                    break;
                case HangUpStep hangUp:
                    entered.Add((current, hangUp.Type, null));
                    if (hangUp.Say is not null)
                    {
                        response.Say(hangUp.Say);
                    }

                    response.Hangup();
                    return new FlowDocument(response, entered);
                default:
                    entered.Add((current, definition.Type, entered.Count == 0 ? branch : null));
                    Waiting(response, flow, current, definition, attempt);
                    return new FlowDocument(response, entered);
            }
        }
    }

    /// <summary>The verb of a step that waits for the caller or for Twilio.</summary>
    private static void Waiting(VoiceResponse response, LoadedFlow flow, string step, FlowStep definition, int attempt)
    {
        switch (definition)
        {
            case MenuStep menu:
                var gather = new Gather(
                    input: [.. menu.Input.Select(i => i == MenuInput.Speech ? Gather.InputEnum.Speech : Gather.InputEnum.Dtmf)],
                    action: Relative(Url(flow, step, FlowAction.Gather, attempt)),
                    method: TwilioHttpMethod.Post,
                    timeout: menu.TimeoutSeconds,
                    numDigits: menu.NumDigits,
                    hints: menu.Input.Contains(MenuInput.Speech) ? string.Join(", ", menu.Options.SelectMany(o => o.Speech)) : null,
                    language: menu.Language is null ? null : (Gather.LanguageEnum)menu.Language);
                gather.Say(menu.Prompt, voice: Voice(menu.Voice), language: Language(menu.Language));
                response.Append(gather);
                response.Redirect(Relative(Url(flow, step, FlowAction.Gather, attempt)), method: TwilioHttpMethod.Post);
                break;
            case QueueStep queue:
                response.Enqueue(
                    queue.Queue,
                    action: Relative(Url(flow, step, FlowAction.Queue)),
                    method: TwilioHttpMethod.Post,
                    waitUrl: Relative(Url(flow, step, FlowAction.Wait)),
                    waitUrlMethod: TwilioHttpMethod.Post);
                break;
            case ForwardStep forward:
                response.Append(Dial(forward.To, forward.CallerId, forward.TimeoutSeconds, Relative(Url(flow, step, FlowAction.Dial))));
                break;
            case ConferenceStep conference:
                var room = new Dial(action: Relative(Url(flow, step, FlowAction.Dial)), method: TwilioHttpMethod.Post);
                room.Conference(
                    conference.Room,
                    muted: conference.Muted,
                    startConferenceOnEnter: conference.StartOnEnter,
                    endConferenceOnExit: conference.EndOnExit,
                    maxParticipants: conference.MaxParticipants);
                response.Append(room);
                break;
            case VoicemailStep voicemail:
                if (voicemail.Prompt is not null)
                {
                    response.Say(voicemail.Prompt, voice: Voice(voicemail.Voice));
                }

                response.Record(
                    action: Relative(Url(flow, step, FlowAction.Record)),
                    method: TwilioHttpMethod.Post,
                    maxLength: voicemail.MaxLengthSeconds,
                    finishOnKey: voicemail.FinishOnKey,
                    playBeep: true,
                    recordingStatusCallback: Relative(RecordingStatusPath),
                    recordingStatusCallbackMethod: TwilioHttpMethod.Post);
                response.Redirect(Relative(Url(flow, step, FlowAction.Record)), method: TwilioHttpMethod.Post);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(definition), definition.Type, "Not a step that waits.");
        }
    }

    /// <summary>A <c>&lt;Dial&gt;</c> to a number, SIP URI or client, with the caller id and ring timeout given.</summary>
    public static Dial Dial(string to, string? callerId, int? timeoutSeconds, Uri? action)
    {
        var dial = new Dial(action: action, method: action is null ? null : TwilioHttpMethod.Post, timeout: timeoutSeconds, callerId: callerId);
        if (to.StartsWith("sip:", StringComparison.Ordinal))
        {
            dial.Sip(new Uri(to));
        }
        else if (to.StartsWith("client:", StringComparison.Ordinal))
        {
            dial.Client(to["client:".Length..]);
        }
        else
        {
            dial.Number(new PhoneNumber(to));
        }

        return dial;
    }

    private static Uri Relative(string path) => new(path, UriKind.Relative);

    /// <summary>The SDK's voice for a flow's, or none (its string conversion would write an empty attribute).</summary>
    internal static Say.VoiceEnum? Voice(string? voice) => voice is null ? null : (Say.VoiceEnum)voice;

    internal static Say.LanguageEnum? Language(string? language) => language is null ? null : (Say.LanguageEnum)language;
}
