using VoiceMesh.Recordings.Storage;

namespace VoiceMesh.Recordings.Tests;

public sealed class BlobMetadataSpecs
{
    [Fact]
    public void A_conference_recording_blob_names_its_conference_and_no_call()
    {
        var values = BlobMetadata.Of(new RecordingBlobMetadata("AC1", null, "CF1", "RE1", "audio/wav"), "ab12");

        Assert.Equal(
            new Dictionary<string, string> { ["accountsid"] = "AC1", ["conferencesid"] = "CF1", ["recordingsid"] = "RE1", ["sha256"] = "ab12" },
            values);
    }

    [Fact]
    public void A_call_recording_blob_names_its_call_and_no_conference()
    {
        var values = BlobMetadata.Of(new RecordingBlobMetadata("AC1", "CA1", null, "RE1", "audio/wav"), null);

        Assert.Equal(new Dictionary<string, string> { ["accountsid"] = "AC1", ["callsid"] = "CA1", ["recordingsid"] = "RE1" }, values);
    }
}
