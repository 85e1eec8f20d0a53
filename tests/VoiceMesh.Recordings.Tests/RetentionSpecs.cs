using JasperFx.Events;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Outbox;
using VoiceMesh.Recordings.Retention;

namespace VoiceMesh.Recordings.Tests;

public sealed class RetentionSpecs
{
    private const string Sid = "RE0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private static readonly string Account = "AC" + new string('1', 32);
    private static readonly string Subaccount = "AC" + new string('2', 32);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));

    private static RetentionOptions Options(TimeSpan? keepFor, params RetentionPolicy[] policies)
    {
        var options = new RetentionOptions { KeepFor = keepFor };
        foreach (var policy in policies)
        {
            options.Policies.Add(policy);
        }

        return options;
    }

    private static readonly RetentionOptions NinetyDays = Options(TimeSpan.FromDays(90));

    private RecordingReported Report(TwilioRecordingStatus status, string account = "", string source = "OutboundAPI", string messageId = "m-1") => new()
    {
        RecordingSid = Sid,
        CallSid = CallSid,
        AccountSid = account.Length > 0 ? account : Account,
        Status = status,
        Url = "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/" + Sid,
        Source = source,
        MessageId = messageId,
        ReceivedAt = _clock.GetUtcNow(),
    };

    private RecordingArchived Archived() => new()
    {
        RecordingSid = Sid,
        CallSid = CallSid,
        AccountSid = Account,
        BlobKey = $"{Account}/{CallSid}/{Sid}.wav",
        BlobUri = new Uri("file:///tmp/RE.wav"),
        SizeBytes = 44,
        Sha256 = "ab",
        ContentType = "audio/wav",
        ArchivedAt = _clock.GetUtcNow(),
    };

    private static Recording Apply(Recording? recording, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            recording = e switch
            {
                RecordingReported r => recording is null ? Recording.Create(r) : recording.Apply(r),
                RecordingArchiveRequested r => recording!.Apply(r),
                RecordingArchived r => recording!.Apply(r),
                RecordingArchiveFailed r => recording!.Apply(r),
                RecordingDeletedAtTwilio r => recording!.Apply(r),
                RecordingTagged r => recording!.Apply(r),
                RetentionScheduled r => recording!.Apply(r),
                LegalHoldSet r => recording!.Apply(r),
                LegalHoldCleared r => recording!.Apply(r),
                PurgeRequested r => recording!.Apply(r),
                Purged r => recording!.Apply(r),
                _ => throw new ArgumentOutOfRangeException(nameof(events), e.GetType().Name),
            };
        }

        return recording!;
    }

    private Recording Reported(TwilioRecordingStatus status = TwilioRecordingStatus.Completed, string account = "", string source = "OutboundAPI")
    {
        var report = Report(status, account, source);
        return Apply(null, Recording.Decide(null, report, _clock.GetUtcNow()).Events);
    }

    /// <summary>A recording archived now under <paramref name="options"/>, through the archive decision.</summary>
    private Recording ArchivedUnder(RetentionOptions options, string account = "", string source = "OutboundAPI", params string[] tags)
    {
        var recording = Reported(account: account, source: source);
        if (tags.Length > 0)
        {
            recording = Apply(recording, RetentionDecisions.Tag(recording, tags, options, _clock.GetUtcNow()).Decision.Events);
        }

        return Apply(recording, RetentionDecisions.Archive(recording, Archived(), options, _clock.GetUtcNow()).Events);
    }

    private Purged PurgedNow(PurgeReason reason) => new()
    {
        RecordingSid = Sid, Reason = reason, AccountSid = Account, CallSid = CallSid, AlreadyGoneAtTwilio = false, PurgedAt = _clock.GetUtcNow(),
    };

    [Fact]
    public void Archiving_stores_the_copy_and_its_retention_under_the_default_in_one_decision()
    {
        var recording = Reported();

        var events = RetentionDecisions.Archive(recording, Archived(), NinetyDays, _clock.GetUtcNow()).Events;

        Assert.IsType<RecordingArchived>(events[0]);
        Assert.Equal(new RetentionScheduled(Sid, "default", _clock.GetUtcNow().AddDays(90), _clock.GetUtcNow()), events[1]);
        Assert.Equal(_clock.GetUtcNow().AddDays(90), Apply(recording, events).PurgeDueAt);
    }

    [Fact]
    public void Without_a_default_keep_for_an_unmatched_recording_is_kept_forever()
    {
        var recording = ArchivedUnder(Options(null));

        Assert.Equal(new RetentionScheduled(Sid, "default", null, _clock.GetUtcNow()), recording.Retention);
        Assert.Null(recording.PurgeDueAt);
        Assert.Equal(RetentionOutcome.NotDue, RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow().AddYears(50)).Outcome);
    }

    [Fact]
    public void The_first_policy_matching_tenant_source_and_tag_decides_how_long_a_recording_is_kept()
    {
        var options = Options(
            TimeSpan.FromDays(90),
            new RetentionPolicy { Name = "legal", Tag = "litigation" },
            new RetentionPolicy { Name = "subaccount-voicemail", AccountSid = Subaccount, Source = "RecordVerb", KeepFor = TimeSpan.FromDays(7) },
            new RetentionPolicy { Name = "subaccount", AccountSid = Subaccount, KeepFor = TimeSpan.FromDays(30) },
            new RetentionPolicy { Name = "sales", Tag = "sales", KeepFor = TimeSpan.FromDays(365) });
        var now = _clock.GetUtcNow();

        Assert.Equal(("subaccount-voicemail", now.AddDays(7)), Schedule(ArchivedUnder(options, Subaccount, "RecordVerb")));
        Assert.Equal(("subaccount", now.AddDays(30)), Schedule(ArchivedUnder(options, Subaccount, "OutboundAPI")));
        Assert.Equal(("sales", now.AddDays(365)), Schedule(ArchivedUnder(options, Account, "OutboundAPI", "sales", "eu")));
        Assert.Equal(("legal", (DateTimeOffset?)null), Schedule(ArchivedUnder(options, Subaccount, "RecordVerb", "sales", "litigation")));
        Assert.Equal(("default", now.AddDays(90)), Schedule(ArchivedUnder(options, Account, "RecordVerb")));

        static (string, DateTimeOffset?) Schedule(Recording r) => (r.Retention!.Policy, r.Retention.PurgeAfter);
    }

    [Fact]
    public void New_tags_on_an_archived_recording_reschedule_it_from_its_archive_time_and_the_same_tags_change_nothing()
    {
        var options = Options(TimeSpan.FromDays(90), new RetentionPolicy { Name = "sales", Tag = "sales", KeepFor = TimeSpan.FromDays(365) });
        var archivedAt = _clock.GetUtcNow();
        var recording = ArchivedUnder(options);
        _clock.Advance(TimeSpan.FromDays(3));

        var tagged = RetentionDecisions.Tag(recording, ["sales", "eu", "sales"], options, _clock.GetUtcNow());
        recording = Apply(recording, tagged.Decision.Events);

        Assert.Equal(RetentionOutcome.Changed, tagged.Outcome);
        Assert.Equal(["eu", "sales"], recording.Tags);
        Assert.Equal(("sales", archivedAt.AddDays(365)), (recording.Retention!.Policy, recording.Retention.PurgeAfter));
        Assert.Equal(RetentionOutcome.Unchanged, RetentionDecisions.Tag(recording, ["eu", "sales"], options, _clock.GetUtcNow()).Outcome);
        Assert.IsType<RecordingTagged>(Assert.Single(RetentionDecisions.Tag(recording, ["sales"], options, _clock.GetUtcNow()).Decision.Events));
    }

    [Fact]
    public void Tags_set_before_the_copy_is_stored_choose_its_policy_when_it_is_archived()
    {
        var options = Options(TimeSpan.FromDays(90), new RetentionPolicy { Name = "sales", Tag = "sales", KeepFor = TimeSpan.FromDays(1) });

        var recording = ArchivedUnder(options, tags: "sales");

        Assert.Equal("sales", recording.Retention!.Policy);
        Assert.Equal(_clock.GetUtcNow().AddDays(1), recording.PurgeDueAt);
    }

    [Fact]
    public void Retention_requests_a_purge_only_once_it_ran_out_and_only_once()
    {
        var recording = ArchivedUnder(NinetyDays);

        Assert.Equal(RetentionOutcome.NotDue, RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow()).Outcome);
        _clock.Advance(TimeSpan.FromDays(90));
        var decision = RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow());
        recording = Apply(recording, decision.Decision.Events);

        Assert.Equal(new PurgeRequested(Sid, PurgeReason.Retention, _clock.GetUtcNow()), Assert.Single(decision.Decision.Events));
        Assert.Null(recording.PurgeDueAt);
        Assert.Equal(RetentionOutcome.Unchanged, RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow()).Outcome);
        Assert.Equal(RetentionOutcome.Unchanged, RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow()).Outcome);
    }

    [Fact]
    public void A_held_recording_is_neither_purged_when_its_retention_runs_out_nor_erased()
    {
        var recording = ArchivedUnder(NinetyDays);
        var hold = RetentionDecisions.SetHold(recording, "litigation hold", "CASE-42", _clock.GetUtcNow());
        recording = Apply(recording, hold.Decision.Events);
        _clock.Advance(TimeSpan.FromDays(400));

        Assert.Equal(new LegalHoldSet(Sid, "litigation hold", "CASE-42", _clock.GetUtcNow().AddDays(-400)), Assert.Single(hold.Decision.Events));
        Assert.Null(recording.PurgeDueAt);
        Assert.Equal(RetentionOutcome.Held, RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow()).Outcome);
        Assert.Equal(RetentionOutcome.Held, RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow()).Outcome);
        Assert.Empty(RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow()).Decision.Events);
    }

    [Fact]
    public void Clearing_a_hold_makes_a_run_out_retention_due_again_and_a_second_clear_changes_nothing()
    {
        var recording = ArchivedUnder(NinetyDays);
        recording = Apply(recording, RetentionDecisions.SetHold(recording, "audit", null, _clock.GetUtcNow()).Decision.Events);
        _clock.Advance(TimeSpan.FromDays(100));

        var cleared = RetentionDecisions.ClearHold(recording, _clock.GetUtcNow());
        recording = Apply(recording, cleared.Decision.Events);

        Assert.IsType<LegalHoldCleared>(Assert.Single(cleared.Decision.Events));
        Assert.Equal(_clock.GetUtcNow().AddDays(-10), recording.PurgeDueAt);
        Assert.Equal(RetentionOutcome.Changed, RetentionDecisions.RequestPurge(recording, PurgeReason.Retention, _clock.GetUtcNow()).Outcome);
        Assert.Equal(RetentionOutcome.Unchanged, RetentionDecisions.ClearHold(recording, _clock.GetUtcNow()).Outcome);
    }

    [Fact]
    public void The_same_hold_twice_changes_nothing_and_another_reason_replaces_it()
    {
        var recording = ArchivedUnder(NinetyDays);
        recording = Apply(recording, RetentionDecisions.SetHold(recording, "audit", null, _clock.GetUtcNow()).Decision.Events);

        Assert.Equal(RetentionOutcome.Unchanged, RetentionDecisions.SetHold(recording, "audit", null, _clock.GetUtcNow()).Outcome);
        var replaced = Apply(recording, RetentionDecisions.SetHold(recording, "audit", "CASE-7", _clock.GetUtcNow()).Decision.Events);
        Assert.Equal("CASE-7", replaced.LegalHold!.CaseReference);
    }

    [Fact]
    public void A_recording_being_purged_takes_no_hold_and_no_tags()
    {
        var recording = ArchivedUnder(NinetyDays);
        recording = Apply(recording, RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow()).Decision.Events);

        Assert.Equal(RetentionOutcome.Purging, RetentionDecisions.SetHold(recording, "too late", null, _clock.GetUtcNow()).Outcome);
        Assert.Equal(RetentionOutcome.Purging, RetentionDecisions.Tag(recording, ["sales"], NinetyDays, _clock.GetUtcNow()).Outcome);
    }

    [Fact]
    public void Unknown_recordings_are_not_found_by_every_retention_command()
    {
        var now = _clock.GetUtcNow();

        Assert.Equal(RetentionOutcome.NotFound, RetentionDecisions.SetHold(null, "x", null, now).Outcome);
        Assert.Equal(RetentionOutcome.NotFound, RetentionDecisions.ClearHold(null, now).Outcome);
        Assert.Equal(RetentionOutcome.NotFound, RetentionDecisions.Tag(null, [], NinetyDays, now).Outcome);
        Assert.Equal(RetentionOutcome.NotFound, RetentionDecisions.RequestPurge(null, PurgeReason.Erasure, now).Outcome);
    }

    [Fact]
    public void An_archived_recording_is_purged_once_shows_purged_and_counts_as_gone_at_twilio()
    {
        var recording = ArchivedUnder(NinetyDays);
        recording = Apply(recording, RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow()).Decision.Events);
        Assert.Equal(ArchiveStatus.Archived, recording.Status());

        var purged = Apply(recording, RetentionDecisions.Purged(recording, PurgedNow(PurgeReason.Erasure)).Events);

        Assert.Equal(ArchiveStatus.Purged, purged.Status());
        Assert.Equal("purged", purged.Status().ToWire());
        Assert.NotNull(purged.DeletedAtTwilioAt);
        Assert.Empty(RetentionDecisions.Purged(purged, PurgedNow(PurgeReason.Erasure)).Events);
        Assert.Equal(ArchiveStep.None, Recording.NextStep(purged, deleteAtTwilio: true));
        Assert.Null(RecordingResponse.Of(purged).BlobUri);
        Assert.Equal(new PurgeResponse("erasure", _clock.GetUtcNow(), _clock.GetUtcNow()), RecordingResponse.Of(purged).Purge);
    }

    [Fact]
    public void A_purge_nobody_requested_is_not_recorded()
    {
        Assert.Empty(RetentionDecisions.Purged(ArchivedUnder(NinetyDays), PurgedNow(PurgeReason.Retention)).Events);
        Assert.Empty(RetentionDecisions.Purged(null, PurgedNow(PurgeReason.Retention)).Events);
    }

    [Fact]
    public void A_recording_erased_before_it_was_archived_is_purged_by_its_archive_step_once_twilio_finished_it_and_never_stored()
    {
        var recording = Reported(TwilioRecordingStatus.InProgress);
        var erasure = RetentionDecisions.RequestPurge(recording, PurgeReason.Erasure, _clock.GetUtcNow());
        recording = Apply(recording, erasure.Decision.Events);

        Assert.Equal(RetentionOutcome.Changed, erasure.Outcome);
        Assert.Equal(ArchiveStep.None, Recording.NextStep(recording, deleteAtTwilio: true));

        var completed = Report(TwilioRecordingStatus.Completed, messageId: "m-2");
        recording = Apply(recording, Recording.Decide(recording, completed, _clock.GetUtcNow()).Events);

        Assert.Equal(ArchiveStep.Purge, Recording.NextStep(recording, deleteAtTwilio: false));
        Assert.Empty(RetentionDecisions.Archive(recording, Archived(), NinetyDays, _clock.GetUtcNow()).Events);
        Assert.Empty(Recording.Decide(recording, new RecordingArchiveFailed(Sid, "404", 1, false, _clock.GetUtcNow())).Events);
    }

    [Fact]
    public void An_erasure_while_archiving_keeps_the_copy_from_being_recorded()
    {
        var recording = Apply(Reported(), RetentionDecisions.RequestPurge(Reported(), PurgeReason.Erasure, _clock.GetUtcNow()).Decision.Events);

        Assert.Empty(RetentionDecisions.Archive(recording, Archived(), NinetyDays, _clock.GetUtcNow()).Events);
        Assert.Equal(ArchiveStep.Purge, Recording.NextStep(recording, deleteAtTwilio: true));
    }

    [Fact]
    public void The_outbox_sends_a_purge_as_a_command_and_tells_other_services_what_was_archived_and_purged()
    {
        var now = _clock.GetUtcNow();

        var command = Assert.IsType<Contracts.Recordings.PurgeRecording>(RecordingEventsPublisher.Map(new Event<PurgeRequested>(new PurgeRequested(Sid, PurgeReason.Retention, now))));
        var archived = Assert.IsType<Contracts.Recordings.RecordingArchived>(RecordingEventsPublisher.Map(new Event<RecordingArchived>(Archived())));
        var purged = Assert.IsType<Contracts.Recordings.RecordingPurged>(RecordingEventsPublisher.Map(new Event<Purged>(PurgedNow(PurgeReason.Erasure))));

        Assert.Equal((Sid, now), (command.RecordingSid, command.OccurredAt));
        Assert.Equal((Sid, (string?)CallSid, Account, now), (archived.RecordingSid, archived.CallSid, archived.AccountSid, archived.OccurredAt));
        Assert.Equal((Sid, (string?)CallSid, "erasure"), (purged.RecordingSid, purged.CallSid, purged.Reason));
        Assert.Null(RecordingEventsPublisher.Map(new Event<LegalHoldSet>(new LegalHoldSet(Sid, "x", null, now))));
    }

    [Fact]
    public void Valid_policies_pass_and_each_bad_one_is_named()
    {
        var validator = new RetentionOptionsValidator();
        var good = Options(TimeSpan.FromDays(90),
            new RetentionPolicy { Name = "voicemail", Source = "RecordVerb", KeepFor = TimeSpan.FromDays(30) },
            new RetentionPolicy { Name = "tenant-b", AccountSid = Subaccount });
        var bad = Options(null,
            new RetentionPolicy { Name = "Bad Name", Tag = "x" },
            new RetentionPolicy { Name = "everything" },
            new RetentionPolicy { Name = "tenant", AccountSid = "AC123" },
            new RetentionPolicy { Name = "source", Source = "Voicemail" },
            new RetentionPolicy { Name = "tag", Tag = "Has Space" },
            new RetentionPolicy { Name = "negative", Tag = "x", KeepFor = TimeSpan.FromDays(-1) },
            new RetentionPolicy { Name = "tag", Tag = "y" },
            new RetentionPolicy { Name = "default", Tag = "z" });

        var result = validator.Validate(null, bad);

        Assert.True(validator.Validate(null, good).Succeeded);
        Assert.True(result.Failed);
        foreach (var index in Enumerable.Range(0, 8))
        {
            Assert.Contains(result.Failures!, f => f.StartsWith($"Recordings:Retention:Policies:{index}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_zero_or_negative_default_keep_for_fails_validation()
    {
        var context = new System.ComponentModel.DataAnnotations.ValidationContext(new RetentionOptions { KeepFor = TimeSpan.Zero });
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(context.ObjectInstance, context, results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(RetentionOptions.KeepFor)));
    }
}
