package io.procwatch.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store built from PEM files as web servers take them: a certificate chain ({@code BEGIN CERTIFICATE}
 * blocks, leaf first) and an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}, RSA or EC; convert an
 * {@code RSA PRIVATE KEY} with {@code openssl pkcs8 -topk8 -nocrypt}).
 */
public final class PemKeyStore {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private PemKeyStore() {
    }

    /** The password of the returned in-memory key store and of its key entry. */
    static final char[] PASSWORD = "procwatch".toCharArray();

    /**
     * Loads {@code cert} and {@code key} into a PKCS#12 key store with one entry, {@code procwatch}.
     *
     * @throws IOException a file is unreadable or holds no usable certificate or key (the message says which)
     */
    public static KeyStore load(Path cert, Path key) throws IOException {
        List<Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(cert, "CERTIFICATE")) {
                chain.add(cf.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(cert + ": not a PEM certificate: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException(cert + ": no -----BEGIN CERTIFICATE----- block");
        }
        List<byte[]> keys = blocks(key, "PRIVATE KEY");
        if (keys.isEmpty()) {
            String text = Files.readString(key, StandardCharsets.US_ASCII);
            throw new IOException(key + (text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY")
                    ? ": a PKCS#1/SEC1 key; convert it with openssl pkcs8 -topk8 -nocrypt"
                    : ": no unencrypted -----BEGIN PRIVATE KEY----- block"));
        }
        PrivateKey pk = null;
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                pk = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
                break;
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        if (pk == null) {
            throw new IOException(key + ": private key is neither RSA, EC nor Ed25519");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("procwatch", pk, PASSWORD, chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException(key + ": key does not fit certificate " + cert + ": " + e.getMessage(), e);
        }
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }
}
