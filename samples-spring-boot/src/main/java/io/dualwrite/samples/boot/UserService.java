package io.dualwrite.samples.boot;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.Optional;

/** What the application does with its users; every method is one transaction. */
@Service
public class UserService {

    private final UserRepository users;

    public UserService(UserRepository users) {
        this.users = users;
    }

    /** Signs a user up; returns the id the database generated ({@code INSERT … RETURNING id}). */
    @Transactional
    public long signUp(String name, String email) {
        return users.save(new User(name, email)).getId();
    }

    /**
     * Changes a user's email (null removes it); returns the new version. A stale {@code expectedVersion} fails with
     * Spring's {@code OptimisticLockingFailureException}, as optimistic locking should.
     */
    @Transactional
    public long changeEmail(long id, long expectedVersion, String email) {
        User user = users.findById(id).orElseThrow(() -> new IllegalArgumentException("no user " + id));
        if (user.getVersion() != expectedVersion) {
            throw new OptimisticLockingFailureException(
                    "user " + id + " is at version " + user.getVersion() + ", not " + expectedVersion);
        }
        user.setEmail(email);
        users.flush();
        return user.getVersion();
    }

    @Transactional(readOnly = true)
    public Optional<User> findByEmail(String email) {
        return users.findByEmail(email);
    }

    @Transactional(readOnly = true)
    public Optional<User> find(long id) {
        return users.findById(id);
    }

    @Transactional
    public void delete(long id) {
        users.deleteById(id);
    }
}
