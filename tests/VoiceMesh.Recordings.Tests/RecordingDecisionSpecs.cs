using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;

namespace VoiceMesh.Recordings.Tests;

public sealed class RecordingDecisionSpecs
{
    private const string Sid = "RE0123456789abcdef0123456789abcdef";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));

    private RecordingReported Report(TwilioRecordingStatus status, string messageId = "m-1") => new()
    {
        RecordingSid = Sid,
        CallSid = "CA0123456789abcdef0123456789abcdef",
        AccountSid = "AC" + new string('1', 32),
        Status = status,
        Url = "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/" + Sid,
        DurationSeconds = 7,
        Channels = 1,
        MessageId = messageId,
        ReceivedAt = _clock.GetUtcNow(),
    };

    private static Recording Given(params object[] events)
    {
        var recording = Recording.Create((RecordingReported)events[0]);
        foreach (var e in events.Skip(1))
        {
            recording = e switch
            {
                RecordingReported r => recording.Apply(r),
                RecordingArchiveRequested r => recording.Apply(r),
                RecordingArchived r => recording.Apply(r),
                RecordingArchiveFailed r => recording.Apply(r),
                RecordingDeletedAtTwilio r => recording.Apply(r),
                _ => throw new ArgumentOutOfRangeException(nameof(events)),
            };
        }

        return recording;
    }

    private RecordingArchived Archived() => new()
    {
        RecordingSid = Sid,
        BlobKey = "AC/CA/RE.wav",
        BlobUri = new Uri("file:///tmp/RE.wav"),
        SizeBytes = 44,
        Sha256 = "ab",
        ContentType = "audio/wav",
        ArchivedAt = _clock.GetUtcNow(),
    };

    [Fact]
    public void The_status_query_selects_exactly_the_recordings_whose_read_model_shows_that_status()
    {
        var now = _clock.GetUtcNow();
        var reported = Given(Report(TwilioRecordingStatus.InProgress));
        var purged = new Purged { RecordingSid = Sid, Reason = PurgeReason.Retention, AccountSid = reported.AccountSid, AlreadyGoneAtTwilio = true, PurgedAt = now };
        Recording[] recordings =
        [
            reported,
            reported with { TwilioStatus = TwilioRecordingStatus.Completed, ArchiveRequestedAt = now },
            reported with { TwilioStatus = TwilioRecordingStatus.Absent },
            reported with { TwilioStatus = TwilioRecordingStatus.Failed, ArchiveRequestedAt = now },
            reported with { ArchiveRequestedAt = now, FailureReason = "the download was cut short" },
            reported with { ArchiveRequestedAt = now, Archive = Archived() },
            reported with { ArchiveRequestedAt = now, Archive = Archived(), FailureReason = "an earlier attempt" },
            reported with { Archive = Archived(), Purge = purged },
            reported with { FailureReason = "erased before a copy was made", Purge = purged },
        ];

        Assert.Equal(Enum.GetValues<ArchiveStatus>(), recordings.Select(r => r.Status()).Distinct().Order());
        foreach (var status in Enum.GetValues<ArchiveStatus>())
        {
            var selects = Recording.WithStatus(status).Compile();
            Assert.All(recordings, r => Assert.Equal(r.Status() == status, selects(r)));
        }
    }

    [Fact]
    public void A_completed_report_naming_another_account_than_the_recordings_changes_nothing_and_archives_nothing()
    {
        var recording = Given(Report(TwilioRecordingStatus.InProgress));
        var forged = Report(TwilioRecordingStatus.Completed, "m-forged") with { AccountSid = "AC" + new string('2', 32) };

        Assert.True(recording.BelongsToAnotherAccount(forged.AccountSid));
        Assert.Empty(Recording.Decide(recording, forged, _clock.GetUtcNow()).Events);
        Assert.Equal(2, Recording.Decide(recording, Report(TwilioRecordingStatus.Completed, "m-2"), _clock.GetUtcNow()).Events.Count);
    }

    [Fact]
    public void A_completed_report_of_a_new_recording_records_it_and_the_decision_to_archive()
    {
        var events = Recording.Decide(null, Report(TwilioRecordingStatus.Completed), _clock.GetUtcNow()).Events;

        Assert.IsType<RecordingReported>(events[0]);
        Assert.Equal(new RecordingArchiveRequested(Sid, _clock.GetUtcNow()), events[1]);
    }

    [Fact]
    public void An_in_progress_report_records_it_without_archiving()
    {
        var events = Recording.Decide(null, Report(TwilioRecordingStatus.InProgress), _clock.GetUtcNow()).Events;

        Assert.Single(events);
        Assert.Equal(ArchiveStatus.Reported, Given([.. events]).Status());
    }

    [Fact]
    public void A_redelivered_report_changes_nothing()
    {
        var recording = Given(Report(TwilioRecordingStatus.Completed), new RecordingArchiveRequested(Sid, _clock.GetUtcNow()));

        Assert.Empty(Recording.Decide(recording, Report(TwilioRecordingStatus.Completed), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_second_completed_report_under_another_id_does_not_archive_twice()
    {
        var recording = Given(Report(TwilioRecordingStatus.Completed), new RecordingArchiveRequested(Sid, _clock.GetUtcNow()));

        var events = Recording.Decide(recording, Report(TwilioRecordingStatus.Completed, "m-2"), _clock.GetUtcNow()).Events;

        Assert.IsType<RecordingReported>(Assert.Single(events));
    }

    [Fact]
    public void A_late_in_progress_report_does_not_undo_completed()
    {
        var recording = Given(Report(TwilioRecordingStatus.Completed), Report(TwilioRecordingStatus.InProgress, "m-0"));

        Assert.Equal(TwilioRecordingStatus.Completed, recording.TwilioStatus);
    }

    [Fact]
    public void A_requested_archive_is_archived_next_then_deleted_at_twilio_then_done()
    {
        var requested = Given(Report(TwilioRecordingStatus.Completed), new RecordingArchiveRequested(Sid, _clock.GetUtcNow()));
        var archived = requested.Apply(Archived());
        var deleted = archived.Apply(new RecordingDeletedAtTwilio(Sid, false, _clock.GetUtcNow()));

        Assert.Equal(ArchiveStep.Archive, Recording.NextStep(requested, deleteAtTwilio: true));
        Assert.Equal(ArchiveStatus.Archiving, requested.Status());
        Assert.Equal(ArchiveStep.DeleteAtTwilio, Recording.NextStep(archived, deleteAtTwilio: true));
        Assert.Equal(ArchiveStep.None, Recording.NextStep(archived, deleteAtTwilio: false));
        Assert.Equal(ArchiveStep.None, Recording.NextStep(deleted, deleteAtTwilio: true));
        Assert.Equal(ArchiveStatus.Archived, deleted.Status());
    }

    [Fact]
    public void An_archived_recording_is_not_archived_again_and_ignores_later_failures()
    {
        var archived = Given(Report(TwilioRecordingStatus.Completed), new RecordingArchiveRequested(Sid, _clock.GetUtcNow()), Archived());

        Assert.Empty(Recording.Decide(archived, Archived()).Events);
        Assert.Empty(Recording.Decide(archived, new RecordingArchiveFailed(Sid, "size mismatch", 2, false, _clock.GetUtcNow())).Events);
    }

    [Fact]
    public void A_recording_is_never_recorded_deleted_at_twilio_before_it_is_archived()
    {
        var requested = Given(Report(TwilioRecordingStatus.Completed), new RecordingArchiveRequested(Sid, _clock.GetUtcNow()));

        Assert.Empty(Recording.Decide(requested, new RecordingDeletedAtTwilio(Sid, false, _clock.GetUtcNow())).Events);
        Assert.Empty(Recording.Decide(null, Archived()).Events);
    }

    [Fact]
    public void A_verification_failure_shows_failed_and_leaves_the_archive_to_be_retried()
    {
        var failed = Given(
            Report(TwilioRecordingStatus.Completed),
            new RecordingArchiveRequested(Sid, _clock.GetUtcNow()),
            new RecordingArchiveFailed(Sid, "not audio", 1, false, _clock.GetUtcNow()));

        Assert.Equal(ArchiveStatus.Failed, failed.Status());
        Assert.Equal(ArchiveStep.Archive, Recording.NextStep(failed, deleteAtTwilio: true));
        Assert.Equal(ArchiveStatus.Archived, failed.Apply(Archived()).Status());
    }

    [Fact]
    public void A_refused_url_fails_for_good_and_is_never_tried_again()
    {
        var refused = Given(
            Report(TwilioRecordingStatus.Completed),
            new RecordingArchiveRequested(Sid, _clock.GetUtcNow()),
            new RecordingArchiveFailed(Sid, "foreign host", 1, true, _clock.GetUtcNow()));

        Assert.Equal(ArchiveStatus.Failed, refused.Status());
        Assert.Equal(ArchiveStep.None, Recording.NextStep(refused, deleteAtTwilio: true));
        Assert.Empty(Recording.Decide(refused, new RecordingArchiveFailed(Sid, "again", 2, true, _clock.GetUtcNow())).Events);
    }

    [Fact]
    public void An_absent_recording_shows_failed_and_is_never_archived()
    {
        var absent = Given(Report(TwilioRecordingStatus.Absent));

        Assert.Equal(ArchiveStatus.Failed, absent.Status());
        Assert.Equal(ArchiveStep.None, Recording.NextStep(absent, deleteAtTwilio: true));
    }
}
