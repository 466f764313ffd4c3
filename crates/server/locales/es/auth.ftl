## Las páginas de acceso de los organizadores: iniciar sesión, el segundo factor, una
## contraseña olvidada, la puesta en marcha del sitio, aceptar una invitación; y los
## mensajes de las comprobaciones de acceso.

auth-email = Correo electrónico
auth-password = Contraseña
auth-log-in = Iniciar sesión
auth-back-to-login = Volver al inicio de sesión
auth-your-name = Tu nombre
auth-password-new = Contraseña (al menos 12 caracteres)
auth-password-again = Repite la contraseña
auth-passwords-differ = Las dos contraseñas no coinciden.
auth-role = { $role ->
    [owner] propietario
    [editor] editor
    [moderator] moderador
    [viewer] lector
   *[other] { $role }
}

## Iniciar sesión.
auth-login-heading = Acceso para organizadores
auth-login-forgot = ¿Has olvidado tu contraseña?
auth-login-wrong = El correo electrónico o la contraseña no son correctos.
auth-code-title = Tu código
auth-code-intro = Tu cuenta tiene un segundo factor. Escribe el código de 6 cifras que muestra ahora tu aplicación de autenticación, o uno de tus códigos de recuperación.
auth-code-label = Código
auth-code-wrong = Este código no es correcto o ya se ha usado. Escribe las 6 cifras que muestra ahora tu aplicación, o uno de tus códigos de recuperación sin usar.
auth-login-again-heading = Vuelve a iniciar sesión
auth-login-again = Este inicio de sesión ha caducado o ha tenido demasiados códigos erróneos. Vuelve a iniciar sesión con tu contraseña.

## Una contraseña olvidada.
auth-forgot-intro = Indica la dirección con la que inicias sesión. Si existe una cuenta de organizador con ella, le enviaremos un enlace para elegir una nueva contraseña.
auth-forgot-button = Envíame un enlace
auth-forgot-sent-heading = Revisa tu correo
auth-forgot-sent = Si existe una cuenta de organizador con esta dirección, le hemos enviado un enlace para elegir una nueva contraseña. El enlace funciona una sola vez, durante una hora. ¿No ha llegado nada? Revisa tu carpeta de spam o vuelve a pedirlo dentro de unos minutos.
auth-reset-invalid-heading = Este enlace para cambiar la contraseña no es válido
auth-reset-invalid = Ya se ha usado, ha caducado (los enlaces funcionan durante una hora) o está mal copiado. Pide uno nuevo.
auth-reset-ask-again = Pedir un nuevo enlace
auth-reset-heading = Elige una nueva contraseña
auth-reset-intro = Al cambiarla se cierran todas tus sesiones; después, inicia sesión con la nueva contraseña.
auth-reset-password = Nueva contraseña (al menos 12 caracteres)
auth-reset-password-again = Repite la nueva contraseña
auth-reset-button = Guardar la nueva contraseña
auth-reset-done-heading = Tu contraseña ha cambiado
auth-reset-done = Se han cerrado todas tus sesiones. Inicia sesión con tu nueva contraseña.

## La puesta en marcha del sitio.
auth-setup-title = Puesta en marcha
auth-setup-heading = Poner en marcha { $instance }
auth-setup-intro = Crea el primer espacio de trabajo y su propietario. Este enlace funciona una sola vez.
auth-setup-workspace = Espacio de trabajo (tu organización o coalición)
auth-setup-email = Tu correo electrónico (con el que inicias sesión)
auth-setup-button = Crear el espacio de trabajo
auth-setup-invalid-heading = Este enlace de puesta en marcha no es válido
auth-setup-invalid = Ya se ha usado, ha caducado o el sitio ya está en marcha. Los organizadores inician sesión; si nadie puede, reinicia el servidor con una base de datos vacía para obtener un nuevo enlace.

## Una invitación a un espacio de trabajo. En la página, $workspace y $role llegan marcados.
auth-invite-heading = Únete a { $workspace }
auth-invite-intro = Te invitan a unirte al espacio de trabajo { $workspace } como { $role }, con la dirección { $email }. Este enlace funciona una sola vez, hasta el { $expires }.
auth-invite-other-login = Has iniciado sesión como { $other }. Esta invitación es para { $email }: cierra la sesión y vuelve a iniciarla como { $email }.
auth-invite-has-account = { $email } tiene una cuenta de organizador aquí. Inicia sesión como { $email } y pulsa «Unirme».
auth-invite-join = Unirme a { $workspace }
auth-invite-log-in-to-join = Iniciar sesión para unirme
auth-invite-other-new = Has iniciado sesión como { $other }. Esta invitación es para una cuenta nueva con la dirección { $email }.
auth-invite-choose = Elige el nombre que verán los demás organizadores y tu contraseña. Iniciarás sesión con { $email }.
auth-invite-invalid-heading = Este enlace de invitación no es válido
auth-invite-invalid = Ya se ha usado o se ha cancelado, ha caducado o está mal copiado. Pide a un propietario del espacio de trabajo que vuelva a invitarte.
auth-invite-account-heading = Ya tienes una cuenta
auth-invite-account = { $email } tiene una cuenta de organizador aquí. Inicia sesión como { $email } y vuelve a abrir el enlace de la invitación para unirte.
auth-invite-account-now = Esta dirección ya tiene una cuenta de organizador. Inicia sesión y vuelve a abrir el enlace de la invitación para unirte.
auth-invite-elsewhere-heading = Esta invitación es para otra dirección
auth-invite-elsewhere = Se envió a { $email } y has iniciado sesión como { $current }. Cierra la sesión y vuelve a iniciarla como { $email } para unirte.

## Una firma retenida tras confirmarse (para revisión, o para la tanda de una carta sensible).
## $title y $at llegan marcados.
auth-held-confirmed = Tu firma de { $title } está confirmada.
auth-held-review = Los organizadores de esta carta revisan cada firma antes de publicarla: la tuya espera su revisión. Cuando la aprueben, contará y se mostrará como elegiste.
auth-held-batch = Para proteger a quienes firman de forma privada o con sus iniciales, esta carta publica esas firmas juntas, cada { $minutes } minutos, en un orden sorteado: nadie que observe la carta puede saber cuándo firmó alguien. La tuya se contará a las { $at }.
auth-held-after = Después, esta página (el enlace de tu correo) te da tu recibo, la prueba de que tu firma se contó.
auth-held-see-letter = Ver la carta

## Los mensajes de las comprobaciones de acceso (src/auth), escritos en inglés en el código:
## con la clave de sus palabras, como en catalog.ftl, para `i18n::localise`.
src-this-form-was-sent-from-another-site-or-has-expired-go-back-reload-the-page-and-try-again = Este formulario se envió desde otro sitio o ha caducado. Vuelve atrás, recarga la página e inténtalo de nuevo.
src-your-role-in-this-workspace-does-not-allow-this-ask-an-owner-for-a-different-role = Tu rol en este espacio de trabajo no lo permite. Pide a un propietario otro rol.
src-a-logo-may-be-at-most-n-mb-choose-a-smaller-png-jpeg-or-webp-file-and-send-the-form-again = Un logotipo puede ocupar como máximo { $n } MB. Elige un archivo PNG, JPEG o WebP más pequeño y vuelve a enviar el formulario.
