using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Storage;

/// <summary>Which store archived recordings go to.</summary>
public enum BlobStorageBackend
{
    FileSystem,
    Azure,
    S3,
}

/// <summary>
/// Where archived recordings are stored (section <c>BlobStorage</c>, environment <c>BlobStorage__*</c>): the
/// <see cref="Backend"/> and that backend's settings. Only the chosen backend's settings are required and checked
/// (<see cref="BlobStorageOptionsValidator"/>).
/// </summary>
public sealed class BlobStorageOptions : IConfigurationOptions
{
    public static string Section => "BlobStorage";

    /// <summary><c>filesystem</c> (default), <c>azure</c> or <c>s3</c>.</summary>
    public BlobStorageBackend Backend { get; set; } = BlobStorageBackend.FileSystem;

    /// <summary>The filesystem backend's folder; a relative path is under the content root.</summary>
    public string Directory { get; set; } = "recordings";

    public AzureBlobStorageOptions Azure { get; set; } = new();

    public S3StorageOptions S3 { get; set; } = new();
}

/// <summary>Azure Blob storage: one container, block blobs.</summary>
public sealed class AzureBlobStorageOptions
{
    /// <summary>A storage account connection string (Azurite: the <c>devstoreaccount1</c> one).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container; created when missing.</summary>
    public string? Container { get; set; }

    /// <summary>An encryption scope every blob is written with; unset means the account's default encryption.</summary>
    public string? EncryptionScope { get; set; }
}

/// <summary>S3 or an S3-compatible server: one bucket, multipart uploads.</summary>
public sealed class S3StorageOptions
{
    /// <summary>An S3-compatible endpoint (s3rver, MinIO); unset means AWS itself in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The AWS region, also the region requests are signed for (<c>us-east-1</c> for s3rver).</summary>
    public string? Region { get; set; }

    /// <summary>The bucket; created when missing.</summary>
    public string? Bucket { get; set; }

    /// <summary>With <see cref="SecretKey"/>; unset means the SDK's default credentials (environment, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Addresses the bucket in the path (<c>host/bucket/key</c>) rather than the host name, as s3rver and MinIO need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Server-side encryption for every object: unset (the bucket's default), <c>AES256</c> or <c>aws:kms</c>.</summary>
    public string? ServerSideEncryption { get; set; }

    /// <summary>The KMS key with <c>aws:kms</c>; unset means the account's default key.</summary>
    public string? KmsKeyId { get; set; }
}
