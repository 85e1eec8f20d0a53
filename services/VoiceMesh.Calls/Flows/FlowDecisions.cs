using System.Globalization;
using Twilio.TwiML;
using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Flows;

/// <summary>The TwiML to answer with and the events that record the turn on the call's stream.</summary>
public sealed record FlowTurn(VoiceResponse Twiml, IReadOnlyList<object> Events);

/// <summary>A request named a step or action the flow version does not have.</summary>
public sealed class FlowMismatchException(string message) : Exception(message);

/// <summary>
/// Each turn of a call through a flow, as pure decisions: given the flow version, the step and action Twilio came
/// back with, its parameters and the call's state, what TwiML answers and which events record it.
/// </summary>
public static class FlowDecisions
{
    public const string DefaultInvalidPrompt = "Sorry, I did not get that.";

    /// <summary>An incoming call: the flow from its start. A call that started a flow already keeps it (its path goes on).</summary>
    public static FlowTurn Start(LoadedFlow flow, Call? call, TwimlRequest request, DateTimeOffset now)
    {
        var document = FlowRenderer.Render(flow, flow.Definition.Start, now);
        List<object> events = [];
        if (call?.Flow is null)
        {
            events.Add(new FlowStarted
            {
                CallSid = request.CallSid,
                FlowId = flow.FlowId,
                Version = flow.Version,
                Direction = request.Direction,
                From = request.From,
                To = request.To,
                CallStatus = CallStatusWire.TryParse(request.CallStatus, out var status) ? status : CallStatus.Ringing,
                StartedAt = now,
            });
        }

        return Turn(document, request, now, events);
    }

    public static FlowTurn Continue(LoadedFlow flow, string step, FlowAction action, int attempt, Call? call, TwimlRequest request, DateTimeOffset now)
    {
        if (!flow.Definition.Steps.TryGetValue(step, out var definition))
        {
            throw new FlowMismatchException($"Flow {flow.FlowId} version {flow.Version} has no step '{step}'.");
        }

        return (action, definition) switch
        {
            (FlowAction.Enter, _) => Turn(FlowRenderer.Render(flow, step, now), request, now, []),
            (FlowAction.Gather, MenuStep menu) => Menu(flow, step, menu, attempt, request, now),
            (FlowAction.Dial, ForwardStep forward) => Dialled(flow, step, request, now, forward.Next, forward.NoAnswer),
            (FlowAction.Dial, ConferenceStep conference) => Dialled(flow, step, request, now, conference.Next, conference.Next),
            (FlowAction.Wait, QueueStep queue) => Wait(step, queue, call, request, now),
            (FlowAction.Queue, QueueStep queue) => LeftQueue(flow, step, queue, request, now),
            (FlowAction.Record, VoicemailStep voicemail) => Recorded(flow, step, voicemail, request, now),
            _ => throw new FlowMismatchException($"Step '{step}' ({definition.Type.ToWire()}) of flow {flow.FlowId} takes no {action.ToString().ToLowerInvariant()} request."),
        };
    }

    private static FlowTurn Menu(LoadedFlow flow, string step, MenuStep menu, int attempt, TwimlRequest request, DateTimeOffset now)
    {
        MenuOption? chosen = null;
        MenuOutcome outcome;
        if (request.Digits is { } digits && menu.Input.Contains(MenuInput.Dtmf))
        {
            chosen = menu.Options.FirstOrDefault(o => o.Digits == digits);
            outcome = chosen is null ? MenuOutcome.Invalid : MenuOutcome.Matched;
        }
        else if (request.SpeechResult is { } speech && menu.Input.Contains(MenuInput.Speech))
        {
            if ((request.Confidence ?? 0) < menu.MinConfidence)
            {
                outcome = MenuOutcome.LowConfidence;
            }
            else
            {
                chosen = menu.Options.FirstOrDefault(o => o.Speech.Any(phrase => SaysPhrase(speech, phrase)));
                outcome = chosen is null ? MenuOutcome.Invalid : MenuOutcome.Matched;
            }
        }
        else
        {
            outcome = MenuOutcome.NoInput;
        }

        object input = new CallerInputReceived
        {
            CallSid = request.CallSid,
            Step = step,
            Digits = request.Digits,
            Speech = request.SpeechResult,
            Confidence = request.Confidence,
            Outcome = outcome,
            Chosen = chosen?.Next,
            Attempt = attempt,
            ReceivedAt = now,
        };
        var document = chosen is not null
            ? FlowRenderer.Render(flow, chosen.Next, now)
            : attempt < menu.Retries
                ? FlowRenderer.Render(flow, step, now, attempt + 1, menu.InvalidPrompt ?? DefaultInvalidPrompt, branch: "retry")
                : FlowRenderer.Render(flow, menu.NoInput, now);
        return Turn(document, request, now, [input]);
    }

    /// <summary>Whether the caller said the phrase as whole words ("support" is not in "supportive"), ignoring case.</summary>
    internal static bool SaysPhrase(string speech, string phrase) =>
        System.Text.RegularExpressions.Regex.IsMatch(
            speech, $@"(?<![\p{{L}}\p{{N}}]){System.Text.RegularExpressions.Regex.Escape(phrase)}(?![\p{{L}}\p{{N}}])",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant,
            TimeSpan.FromMilliseconds(100));

    private static FlowTurn Dialled(LoadedFlow flow, string step, TwimlRequest request, DateTimeOffset now, string? answered, string? unanswered)
    {
        var status = FlowWireValues.ParseDialStatus(request.DialCallStatus);
        object ended = new DialEnded
        {
            CallSid = request.CallSid,
            Step = step,
            Status = status,
            DialCallSid = request.DialCallSid,
            DurationSeconds = request.DialCallDuration,
            EndedAt = now,
        };
        return Turn(FlowRenderer.Render(flow, status.WasAnswered() ? answered : unanswered, now), request, now, [ended]);
    }

    /// <summary>
    /// The queue's wait URL, requested again each time its document ends: announce the position and the expected
    /// wait, play the music, and leave the queue (to the overflow step) once the caller has waited the longest allowed.
    /// </summary>
    private static FlowTurn Wait(string step, QueueStep queue, Call? call, TwimlRequest request, DateTimeOffset now)
    {
        var position = request.QueuePosition ?? call?.Queue?.Position ?? 0;
        var waited = request.QueueTime ?? 0;
        List<object> events = [];
        if (call?.Queue is { LeftAt: null } place && place.Name == queue.Queue)
        {
            if (place.Position != position)
            {
                events.Add(new QueuePositionReported { CallSid = request.CallSid, Position = position, QueueTimeSeconds = waited, ReportedAt = now });
            }
        }
        else
        {
            events.Add(new QueueJoined
            {
                CallSid = request.CallSid,
                Step = step,
                Queue = queue.Queue,
                QueueSid = request.QueueSid,
                Position = position,
                QueueTimeSeconds = waited,
                ReportedAt = now,
            });
        }

        var response = new VoiceResponse();
        var remaining = queue.MaxWaitSeconds - waited;
        if (remaining <= 0)
        {
            response.Leave();
            return new FlowTurn(response, events);
        }

        if (queue.AnnouncePosition && position > 0)
        {
            response.Say($"You are caller number {position.ToString(CultureInfo.InvariantCulture)}.", voice: FlowRenderer.Voice(queue.Voice));
        }

        if (queue.AnnounceWait && request.AvgQueueTime is > 0 and var average)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(Math.Max(average - waited, 0) / 60.0));
            response.Say($"Your expected wait is about {minutes.ToString(CultureInfo.InvariantCulture)} minute{(minutes == 1 ? "" : "s")}.", voice: FlowRenderer.Voice(queue.Voice));
        }

        if (queue.WaitMusicUrl is not null)
        {
            response.Play(new Uri(queue.WaitMusicUrl));
        }
        else
        {
            response.Pause(length: Math.Clamp(remaining, 1, 10));
        }

        return new FlowTurn(response, events);
    }

    private static FlowTurn LeftQueue(LoadedFlow flow, string step, QueueStep queue, TwimlRequest request, DateTimeOffset now)
    {
        var result = FlowWireValues.ParseQueueResult(request.QueueResult);
        object left = new QueueLeft
        {
            CallSid = request.CallSid,
            Step = step,
            Queue = queue.Queue,
            Result = result,
            QueueTimeSeconds = request.QueueTime,
            LeftAt = now,
        };
        if (result == QueueResult.Hangup)
        {
            var response = new VoiceResponse();
            response.Hangup();
            return new FlowTurn(response, [left]);
        }

        return Turn(FlowRenderer.Render(flow, result.WasServed() ? queue.Next : queue.Overflow, now), request, now, [left]);
    }

    private static FlowTurn Recorded(LoadedFlow flow, string step, VoicemailStep voicemail, TwimlRequest request, DateTimeOffset now)
    {
        object recorded = new VoicemailRecorded
        {
            CallSid = request.CallSid,
            Step = step,
            RecordingSid = request.RecordingSid,
            RecordingUrl = request.RecordingUrl,
            DurationSeconds = request.RecordingDuration,
            RecordedAt = now,
        };
        return Turn(FlowRenderer.Render(flow, voicemail.Next, now), request, now, [recorded]);
    }

    private static FlowTurn Turn(FlowDocument document, TwimlRequest request, DateTimeOffset now, List<object> events)
    {
        events.AddRange(document.Entered.Select(e => (object)new FlowStepEntered
        {
            CallSid = request.CallSid, Step = e.Step, Type = e.Type, Branch = e.Branch, EnteredAt = now,
        }));
        return new FlowTurn(document.Twiml, events);
    }

    /// <summary>What a caller hears when no flow can answer: a short apology, then the call ends (never a 5xx).</summary>
    public static VoiceResponse Apology()
    {
        var response = new VoiceResponse();
        response.Say("We are sorry, we cannot take your call right now. Please try again later. Goodbye.");
        response.Hangup();
        return response;
    }

    /// <summary>The agent side of a dequeue: the waiting caller is connected to <paramref name="to"/>.</summary>
    public static VoiceResponse Bridge(string to, string? callerId)
    {
        var response = new VoiceResponse();
        response.Append(FlowRenderer.Dial(to, callerId, timeoutSeconds: null, action: null));
        return response;
    }
}
